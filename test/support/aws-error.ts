/** An error as the AWS SDK v3 throws it: the handlers tell errors apart by `name`. */
export function awsError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
