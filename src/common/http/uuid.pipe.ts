import { Injectable, PipeTransform, ArgumentMetadata } from '@nestjs/common';
import { AppError } from '../errors/app-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Path ids must be UUIDs: anything else is a 400 naming the parameter. */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  transform(value: string, meta: ArgumentMetadata): string {
    if (typeof value !== 'string' || !UUID.test(value)) {
      const name = meta.data ?? 'id';
      throw new AppError('BAD_REQUEST', `${name} must be a UUID.`, { fields: { [name]: 'must be a UUID' } });
    }
    return value.toLowerCase();
  }
}
