/** Every encoding a credential could take on its way into an output, for searches. */
export function leakNeedles(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const needles = new Set<string>([
    secret,
    encodeURIComponent(secret),
    encodeURI(secret),
    JSON.stringify(secret).slice(1, -1),
    bytes.toString("hex"),
    bytes.toString("hex").toUpperCase(),
  ]);
  // base64 of the secret at each alignment inside a larger buffer: the stable middle part.
  for (const b64 of [(b: Buffer) => b.toString("base64"), (b: Buffer) => b.toString("base64url")]) {
    for (let pad = 0; pad < 3; pad++) {
      const text = b64(Buffer.concat([Buffer.alloc(pad, 0x41), bytes, Buffer.alloc(3, 0x41)]));
      const start = Math.ceil((pad * 4) / 3) + (pad === 0 ? 0 : 1);
      const end = Math.floor(((pad + bytes.length) * 4) / 3) - 1;
      if (end - start >= 6) needles.add(text.slice(start, end));
    }
  }
  return [...needles];
}

/** The needles found in any of the outputs, by output name. */
export function findLeaks(secret: string, outputs: Record<string, string | Uint8Array>): string[] {
  const found: string[] = [];
  for (const [name, output] of Object.entries(outputs)) {
    const text = typeof output === "string" ? output : Buffer.from(output).toString("latin1");
    const utf8 = typeof output === "string" ? output : Buffer.from(output).toString("utf8");
    for (const needle of leakNeedles(secret)) {
      if (text.includes(needle) || utf8.includes(needle)) found.push(`${name}: ${JSON.stringify(needle)}`);
    }
  }
  return found;
}
