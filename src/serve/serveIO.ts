/** Where serve writes and reads: stdout gets the `listening on` line, stderr the log (the CLI passes its own). */
export interface ServeIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}
