/**
 * An error whose message is for the user as it is, with the exit code it deserves
 * (0 ok, 1 runtime failure, 2 usage or invalid input). `pillarboard` prints it as
 * `pillarboard: <message>` and exits with its code; a command may throw it from anywhere.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
