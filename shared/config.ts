/** Reads a required environment variable, failing loudly and by name when it is missing. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
}

/** Reads a required environment variable holding JSON. */
export function requireJsonEnv(name: string): unknown {
  const raw = requireEnv(name);
  try {
    return JSON.parse(raw) as unknown;
  } catch (cause) {
    throw new Error(`Environment variable ${name} is not valid JSON`, { cause });
  }
}
