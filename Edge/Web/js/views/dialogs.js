// Modal dialogs (<dialog>: focus trap and Escape for free) with one form each.
import { h } from '../dom.js';

/**
 * Shows a dialog with `fields` ([{name, label, type, required, value}]) and resolves with
 * the values, or null when cancelled. `action(values)` runs before closing; its error is
 * shown in the dialog.
 */
export function formDialog({ title, fields, submitLabel, action, id }) {
  return new Promise((resolve) => {
    const error = h('p.form-error', { role: 'alert' });
    const inputs = fields.map((field) => {
      const inputID = `${id}-${field.name}`;
      const input = field.type === 'checkbox'
        ? h('input', { id: inputID, name: field.name, type: 'checkbox', checked: Boolean(field.value) })
        : h('input', {
          id: inputID, name: field.name, type: field.type || 'text', required: field.required, value: field.value || '',
          autocomplete: 'off', placeholder: field.placeholder, maxlength: field.maxlength, autocapitalize: 'none',
        });
      const label = field.type === 'checkbox'
        ? h('label.check', { for: inputID }, input, h('span', field.label), field.hint ? h('small', field.hint) : null)
        : h('label.field', { for: inputID }, h('span', field.label), input);
      return { field, input, label };
    });
    const submit = h('button.button.primary', { type: 'submit', id: `${id}-submit` }, submitLabel);
    const cancel = h('button.button', { type: 'button', value: 'cancel' }, 'Cancel');
    const dialog = h('dialog.dialog', { id, 'aria-labelledby': `${id}-title` },
      h('form.dialog-form', { method: 'dialog' },
        h('h2', { id: `${id}-title` }, title),
        inputs.map((i) => i.label),
        error,
        h('div.dialog-actions', cancel, submit)));
    const finish = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    cancel.addEventListener('click', () => finish(null));
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); finish(null); });
    dialog.querySelector('form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const values = Object.fromEntries(inputs.map(({ field, input }) => [field.name, field.type === 'checkbox' ? input.checked : input.value.trim()]));
      submit.disabled = true;
      error.textContent = '';
      try {
        const result = action ? await action(values) : values;
        finish(result ?? values);
      } catch (failure) {
        error.textContent = failure.message;
        submit.disabled = false;
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    inputs[0]?.input.focus();
  });
}
