// Every integration target starts and runs processes through the repository's one runner.
@_exported import StreamLyProcess
