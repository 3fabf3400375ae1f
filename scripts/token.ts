// Mints development JWTs: `npm run token -- caseworker --office manila [--sub alice] [--hours 8]`.
import { parseArgs } from 'node:util';
import { mintToken } from '../api/dev-tokens.js';
import { loadConfig } from '../config/index.js';

export { mintToken };

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { office: { type: 'string' }, agency: { type: 'string' }, sub: { type: 'string' }, hours: { type: 'string', default: '8' } },
  });
  const role = positionals[0];
  const roles = ['caseworker', 'agency_officer', 'supervisor', 'admin'];
  if (!role || !roles.includes(role)) {
    console.error(`usage: npm run token -- <${roles.join('|')}> [--office ID|*] [--agency ID] [--sub NAME] [--hours N]`);
    process.exit(2);
  }
  if ((role === 'caseworker' || role === 'supervisor') && !values.office) {
    console.error(`a ${role} token needs --office`);
    process.exit(2);
  }
  if (role === 'agency_officer' && !values.agency) {
    console.error('an agency_officer token needs --agency');
    process.exit(2);
  }
  const config = loadConfig();
  if (!config.auth.jwtSecret) {
    console.error('AUTH_JWT_SECRET is not set (tokens are minted only for the shared-secret mode)');
    process.exit(2);
  }
  const token = await mintToken(
    config.auth.jwtSecret,
    { sub: values.sub ?? `${role}-dev`, role, office: values.office, agency: values.agency },
    Math.round(Number(values.hours) * 3600),
    { issuer: config.auth.issuer, audience: config.auth.audience },
  );
  process.stdout.write(`${token}\n`);
}
