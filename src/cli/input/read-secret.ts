/**
 * Reads a secret value for the CLI without it ever being a command-line argument (argv is visible to
 * every user through `ps` and lands in shell history). From a terminal it prompts on stderr with
 * echo off; from a pipe or file it reads stdin to the end and drops one trailing newline.
 */
import { SecretInvalid } from '../../security/errors.js';

/** Reads the value of secret `name` from stdin or a hidden prompt. */
export async function readSecretInput(name: string, stdin: NodeJS.ReadStream = process.stdin, stderr: NodeJS.WriteStream = process.stderr): Promise<Buffer> {
  const value = stdin.isTTY ? await prompt(`Value for ${name} (input hidden): `, stdin, stderr) : await readAll(stdin);
  if (value.length === 0) throw SecretInvalid({ secret: name, reason: 'no value was given on stdin' });
  return value;
}

async function readAll(stdin: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  let buf = Buffer.concat(chunks);
  if (buf.at(-1) === 0x0a) buf = buf.subarray(0, buf.length - (buf.at(-2) === 0x0d ? 2 : 1));
  return buf;
}

function prompt(question: string, stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream): Promise<Buffer> {
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  const bytes: number[] = [];
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (err) reject(err); else resolve(Buffer.from(bytes));
    };
    const onData = (chunk: Buffer): void => {
      for (const b of chunk) {
        if (b === 0x0d || b === 0x0a) return done();
        if (b === 0x03) return done(new Error('interrupted'));
        if (b === 0x7f || b === 0x08) bytes.pop(); else bytes.push(b);
      }
    };
    stdin.on('data', onData);
  });
}
