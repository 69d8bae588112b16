import { dropOwnedDatabase, stopStartedServices } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  try {
    await dropOwnedDatabase();
  } finally {
    await stopStartedServices();
  }
}
