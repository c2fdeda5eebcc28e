import { hash, verify } from '@node-rs/argon2';

// @node-rs/argon2 defaults to argon2id with m=19 MiB, t=2, p=1 (OWASP's recommended minimum).
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/** Spend the same time on an unknown username as on a wrong password, so timing tells nothing. */
export async function burnVerify(password: string): Promise<void> {
  dummyHash ??= hashPassword('decentra-timing-equaliser');
  await verifyPassword(await dummyHash, password);
}
