// Attachments (docs/api.md "REST": POST /attachments, a presigned PUT) and their download
// URLs (GET /attachments/{id}: a presigned GET valid a few minutes, cached until then).

/** PUT/PATCH through XHR: fetch has no upload progress. Resolves with the XHR. */
export function sendWithProgress(method, url, body, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress?.(event.loaded);
    xhr.onload = () => resolve(xhr);
    xhr.onerror = () => reject(Object.assign(new Error('network error'), { network: true }));
    xhr.onabort = () => reject(Object.assign(new Error('aborted'), { aborted: true }));
    xhr.send(body);
  });
}

export async function uploadAttachment(rest, file, onProgress) {
  const contentType = file.type || 'application/octet-stream';
  const created = await rest.post('/attachments', { filename: file.name, content_type: contentType, size: file.size });
  const xhr = await sendWithProgress('PUT', created.upload_url, file, { 'Content-Type': contentType },
    (loaded) => onProgress?.(loaded / Math.max(1, file.size)));
  if (xhr.status < 200 || xhr.status >= 300) throw new Error(`The upload was refused (HTTP ${xhr.status}).`);
  onProgress?.(1);
  return { id: created.id, filename: file.name, content_type: contentType, size: file.size };
}

const urls = new Map();

export async function attachmentURL(rest, id) {
  const cached = urls.get(id);
  if (cached && cached.until > Date.now()) return cached.url;
  const answer = await rest.get(`/attachments/${id}`);
  urls.set(id, { url: answer.url, until: Date.now() + Math.max(10, (answer.expires_in || 300) - 30) * 1000 });
  return answer.url;
}
