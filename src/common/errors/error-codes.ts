import { HttpStatus } from '@nestjs/common';

/**
 * Stable error codes. Numeric codes below 1000 are the Midaz ones (MIDAZ-API.md);
 * 1000 and above are ours, for what Midaz does not have.
 */
export const ErrorCatalog = {
  DUPLICATE_LEDGER: { code: '0001', status: HttpStatus.CONFLICT, title: 'Duplicate Ledger Error' },
  DUPLICATE_ASSET: { code: '0003', status: HttpStatus.CONFLICT, title: 'Asset Already Exists' },
  CODE_UPPERCASE: { code: '0004', status: HttpStatus.BAD_REQUEST, title: 'Code Uppercase Requirement' },
  NOT_FOUND: { code: '0007', status: HttpStatus.NOT_FOUND, title: 'Entity Not Found' },
  MISSING_FIELDS: { code: '0009', status: HttpStatus.BAD_REQUEST, title: 'Missing Fields in Request' },
  BALANCE_NOT_ZERO: { code: '0016', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Balance Not Zero' },
  INSUFFICIENT_FUNDS: { code: '0018', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Insufficient Funds' },
  ACCOUNT_INELIGIBLE: { code: '0019', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Account Ineligibility Error' },
  ALIAS_UNAVAILABLE: { code: '0020', status: HttpStatus.CONFLICT, title: 'Alias Unavailability Error' },
  ASSET_MISMATCH: { code: '0030', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Mismatched Asset Code' },
  ASSET_NOT_FOUND: { code: '0034', status: HttpStatus.NOT_FOUND, title: 'Asset Code Not Found' },
  BAD_REQUEST: { code: '0047', status: HttpStatus.BAD_REQUEST, title: 'Bad Request' },
  METADATA_KEY_TOO_LONG: { code: '0050', status: HttpStatus.BAD_REQUEST, title: 'Metadata Key Length Exceeded' },
  METADATA_VALUE_TOO_LONG: { code: '0051', status: HttpStatus.BAD_REQUEST, title: 'Metadata Value Length Exceeded' },
  UNEXPECTED_FIELDS: { code: '0053', status: HttpStatus.BAD_REQUEST, title: 'Unexpected Fields in the Request' },
  NESTED_METADATA: { code: '0067', status: HttpStatus.BAD_REQUEST, title: 'Invalid Metadata Nesting' },
  VALUE_MISMATCH: { code: '0073', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Transaction Value Mismatch' },
  EXTERNAL_ACCOUNT_FORBIDDEN: { code: '0074', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'External Account Modification Prohibited' },
  INVALID_DATE: { code: '0077', status: HttpStatus.BAD_REQUEST, title: 'Invalid Date Format Error' },
  PAGINATION_LIMIT: { code: '0080', status: HttpStatus.BAD_REQUEST, title: 'Pagination Limit Exceeded' },
  INVALID_SORT_ORDER: { code: '0081', status: HttpStatus.BAD_REQUEST, title: 'Invalid Sort Order' },
  INVALID_DATE_RANGE: { code: '0083', status: HttpStatus.BAD_REQUEST, title: 'Invalid Date Range Error' },
  IDEMPOTENCY_KEY_IN_USE: { code: '0084', status: HttpStatus.CONFLICT, title: 'Idempotency Key Already Used' },
  ALIAS_NOT_FOUND: { code: '0085', status: HttpStatus.NOT_FOUND, title: 'Alias Not Found' },
  ALREADY_REVERTED: { code: '0087', status: HttpStatus.CONFLICT, title: 'Transaction Already Reverted' },
  IS_REVERT: { code: '0088', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Transaction Is A Revert' },
  CANNOT_REVERT: { code: '0089', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Transaction Cannot Be Reverted' },
  AMBIGUOUS_ALIAS: { code: '0090', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Ambiguous Account Alias' },
  INVALID_BODY: { code: '0094', status: HttpStatus.BAD_REQUEST, title: 'Invalid Request Body' },
  HOLD_ON_EXTERNAL: { code: '0098', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Hold On External Account' },
  NOT_PENDING: { code: '0099', status: HttpStatus.CONFLICT, title: 'Transaction Not Pending' },

  INTERNAL: { code: '1000', status: HttpStatus.INTERNAL_SERVER_ERROR, title: 'Internal Server Error' },
  PAYLOAD_TOO_LARGE: { code: '1001', status: HttpStatus.PAYLOAD_TOO_LARGE, title: 'Payload Too Large' },
  UNSUPPORTED_MEDIA_TYPE: { code: '1002', status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, title: 'Unsupported Media Type' },
  SERVICE_UNAVAILABLE: { code: '1003', status: HttpStatus.SERVICE_UNAVAILABLE, title: 'Service Unavailable' },
  ROUTE_NOT_FOUND: { code: '1004', status: HttpStatus.NOT_FOUND, title: 'Route Not Found' },
  METHOD_NOT_ALLOWED: { code: '1005', status: HttpStatus.METHOD_NOT_ALLOWED, title: 'Method Not Allowed' },
  /** The connection to Postgres was lost at COMMIT and the outcome could not be read back (G11). */
  OUTCOME_UNKNOWN: { code: '1006', status: HttpStatus.SERVICE_UNAVAILABLE, title: 'Outcome Unknown' },
  INVALID_AMOUNT: { code: '1010', status: HttpStatus.BAD_REQUEST, title: 'Invalid Amount' },
  SHARE_NOT_EXACT: { code: '1011', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Share Does Not Divide Exactly' },
  INVALID_IDEMPOTENCY: { code: '1012', status: HttpStatus.BAD_REQUEST, title: 'Invalid Idempotency Header' },
  TOO_MANY_LEGS: { code: '1013', status: HttpStatus.BAD_REQUEST, title: 'Too Many Legs' },
  PARENT_NOT_FOUND: { code: '1014', status: HttpStatus.NOT_FOUND, title: 'Parent Entity Not Found' },
  HOLD_EXPIRED: { code: '1015', status: HttpStatus.CONFLICT, title: 'Hold Expired' },
  ACCOUNT_HAS_PENDING: { code: '1016', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Account Has Pending Transactions' },
  ACCOUNT_REPLACED: { code: '1017', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Account Replaced Since The Transaction' },
  ORGANIZATION_HAS_LEDGERS: { code: '1018', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Organization Has Ledgers' },
  INVALID_DATA: { code: '1019', status: HttpStatus.BAD_REQUEST, title: 'Invalid Data' },
  BALANCE_HAS_PENDING: { code: '1020', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Balance Has Pending Transactions' },
  ASSET_IN_USE: { code: '1021', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Asset In Use' },
  ACCOUNT_BLOCKED: { code: '1022', status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Account Blocked' },

  // Reconciliation (issue 6): 1100-1199.
  RECONCILIATION_IN_PROGRESS: { code: '1100', status: HttpStatus.TOO_MANY_REQUESTS, title: 'Reconciliation In Progress' },
  RECONCILIATION_COOLDOWN: { code: '1101', status: HttpStatus.TOO_MANY_REQUESTS, title: 'Reconciliation Cooling Down' },
  BOOKS_CRITICAL: { code: '1102', status: HttpStatus.SERVICE_UNAVAILABLE, title: 'Books Not Reconciled' },

  // Security and limits (issue 7): 1200-1299.
  UNAUTHORIZED: { code: '1200', status: HttpStatus.UNAUTHORIZED, title: 'Unauthorized' },
  FORBIDDEN: { code: '1201', status: HttpStatus.FORBIDDEN, title: 'Forbidden' },
  RATE_LIMITED: { code: '1202', status: HttpStatus.TOO_MANY_REQUESTS, title: 'Too Many Requests' },
  REQUEST_TIMEOUT: { code: '1203', status: HttpStatus.GATEWAY_TIMEOUT, title: 'Request Timeout' },
} as const;

export type ErrorKey = keyof typeof ErrorCatalog;
