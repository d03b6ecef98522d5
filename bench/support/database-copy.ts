import { Client } from 'pg';

/**
 * `CREATE DATABASE <to> TEMPLATE <from>` on the server of `fromUrl`: an exact copy (same rows, same
 * ids), so two phases of a bench can start from the same data. Nothing may be connected to `from`
 * while it runs (Postgres refuses), so call it before opening pools on it.
 */
export async function copyDatabase(fromUrl: string, toUrl: string): Promise<void> {
  const name = (url: string) => `"${decodeURIComponent(new URL(url).pathname.slice(1)).replace(/"/g, '""')}"`;
  const admin = new URL(fromUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), application_name: 'metrobici-bench' });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name(toUrl)} TEMPLATE ${name(fromUrl)}`);
  } finally {
    await client.end();
  }
}
