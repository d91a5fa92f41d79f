/**
 * An error for a custom resource handler to throw when the deploy must fail with `message`, which
 * CloudFormation and `cdk deploy` then show. CDK's provider framework sends CloudFormation the
 * message and then every line of the error's stack after the first: with the stack V8 writes, a
 * message of several lines would be sent twice, and a long report would overrun the 4096-byte
 * response limit, leaving only "Response object is too long". Its stack is one line.
 */
export function deployFailure(message: string): Error {
  const error = new Error(message);
  error.stack = `Error: ${message.split('\n', 1)[0]}`;
  return error;
}
