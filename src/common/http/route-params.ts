import { Param } from '@nestjs/common';
import { UuidPipe } from './uuid.pipe';

/** Path prefix of every ledger-scoped route (Midaz v3). */
export const LEDGER_PATH = 'v1/organizations/:organization_id/ledgers/:ledger_id';

export const OrgId = (): ParameterDecorator => Param('organization_id', UuidPipe);
export const LedgerId = (): ParameterDecorator => Param('ledger_id', UuidPipe);
export const IdParam = (name = 'id'): ParameterDecorator => Param(name, UuidPipe);
