import { Type, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError } from '../errors/app-error';
import { metadataErrorKey } from './metadata.validator';

function flatten(errors: ValidationError[], prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out[path] = Object.values(e.constraints)[0];
    if (e.children?.length) flatten(e.children, path, out);
  }
  return out;
}

function constraintMessage(errors: ValidationError[], name: string): string | undefined {
  for (const e of errors) {
    const found = e.constraints?.[name] ?? constraintMessage(e.children ?? [], name);
    if (found !== undefined) return found;
  }
  return undefined;
}

function hasConstraint(errors: ValidationError[], name: string): boolean {
  return errors.some((e) => (e.constraints && name in e.constraints) || hasConstraint(e.children ?? [], name));
}

/** Turns class-validator output into one AppError with a message per field. */
export function validationErrorFactory(errors: ValidationError[]): AppError {
  const fields = flatten(errors);
  if (hasConstraint(errors, 'whitelistValidation')) {
    return new AppError('UNEXPECTED_FIELDS', 'The request contains fields that are not allowed.', { fields });
  }
  if (hasConstraint(errors, 'isDefined')) {
    return new AppError('MISSING_FIELDS', 'Required fields are missing.', { fields });
  }
  const metadata = constraintMessage(errors, 'isMetadata');
  const metadataKey = metadata === undefined ? null : metadataErrorKey(metadata);
  if (metadataKey) return new AppError(metadataKey, 'The metadata is not valid.', { fields });
  return new AppError('BAD_REQUEST', 'The request is not valid.', { fields });
}

/** The global pipe; pass expectedType where the parameter's type is generic. */
export function createValidationPipe(expectedType?: Type<unknown>): ValidationPipe {
  return new ValidationPipe({
    expectedType,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: validationErrorFactory,
  });
}
