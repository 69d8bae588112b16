import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { amountProblem } from './amount';

/** A money field: a decimal string per G9 (no number, sign, exponent; > 0). */
export function IsAmount(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'isAmount',
      target: object.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => amountProblem(value) === null,
        defaultMessage: (args: ValidationArguments) => `${args.property} ${amountProblem(args.value)}`,
      },
    });
}
