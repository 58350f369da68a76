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

/**
 * Reads an optional whole-number setting within bounds, failing loudly on anything else
 * (an empty or mistyped value must not silently become 0 or NaN).
 */
export function intEnv(name: string, fallback: number, { min = 0, max = Infinity } = {}): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Environment variable ${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}
