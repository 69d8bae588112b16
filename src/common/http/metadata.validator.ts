import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

export const METADATA_LIMITS = { maxKeys: 50, maxKeyLength: 100, maxValueLength: 2000 };

/** Why a metadata object is refused, or null. Flat: string, number, boolean or null values. */
export function metadataProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'must be a flat JSON object';
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > METADATA_LIMITS.maxKeys) return `must have at most ${METADATA_LIMITS.maxKeys} keys`;
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > METADATA_LIMITS.maxKeyLength) {
      return `keys must be 1 to ${METADATA_LIMITS.maxKeyLength} characters`;
    }
    if (v !== null && typeof v === 'object') return `must not be nested (key ${k.slice(0, 100)})`;
    if (typeof v === 'string' && v.length > METADATA_LIMITS.maxValueLength) {
      return `values must be at most ${METADATA_LIMITS.maxValueLength} characters (key ${k.slice(0, 100)})`;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return `values must be finite (key ${k.slice(0, 100)})`;
  }
  return null;
}

/** The Midaz code of a refusal from metadataProblem (0050 key, 0051 value, 0067 nesting), if it has one. */
export function metadataErrorKey(problem: string): 'METADATA_KEY_TOO_LONG' | 'METADATA_VALUE_TOO_LONG' | 'NESTED_METADATA' | null {
  if (problem.includes('keys must be')) return 'METADATA_KEY_TOO_LONG';
  if (problem.includes('values must be at most')) return 'METADATA_VALUE_TOO_LONG';
  if (problem.includes('must not be nested')) return 'NESTED_METADATA';
  return null;
}

export function IsMetadata(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'isMetadata',
      target: object.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => metadataProblem(value) === null,
        defaultMessage: (args: ValidationArguments) => `${args.property} ${metadataProblem(args.value)}`,
      },
    });
}
