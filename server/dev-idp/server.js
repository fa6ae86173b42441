// Development and test OpenID Provider standing in for KOMBIT's broker.
// Built on the certified `oidc-provider`; the people and municipalities are the
// development data of SPEC.md. Never deploy this: passwords are in the source.
//
//   PORT=3000 node server.js      (PORT=0 picks a free port)
// Prints "dev-idp listening on <issuer>" once it accepts requests.

import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import Provider, { errors, interactionPolicy } from 'oidc-provider';

// Start-up phases with the time since the process started, on stderr (the
// harness keeps it in dev-idp.log): a slow start shows where it waited.
const phase = (what) => console.error(`dev-idp: ${what} at ${Math.round(performance.now())} ms`);
phase('modules loaded');

// One data file with the backend's dev seed (SPEC.md's development data),
// so the two cannot disagree: people, passwords, assurance levels and the
// KOMBIT privileges their tokens carry.
const DATA = JSON.parse(fs.readFileSync(new URL('./dev-data.json', import.meta.url), 'utf8'));
const PEOPLE = Object.fromEntries(DATA.people.map((p) => [p.user_id, p]));
const MUNICIPALITY_NAMES = Object.fromEntries(DATA.municipalities.map((m) => [m.code, m.name]));
const CVR = Object.fromEntries(DATA.municipalities.map((m) => [m.code, m.cvr]));
const UNIT_UUID = Object.fromEntries(DATA.units.map((u) => [u.id, u.uuid]));

const xml = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

// KOMBIT's privileges as OIO Basic Privilege Profile 1.2, base64 (the
// `privileges_intermediate` claim): one group per grant, scoped to the
// municipality's CVR number, limited by org-unit constraints.
function privilegesOf(person) {
  const groups = person.privileges.map((g) => {
    const constraints = g.units.map((u) =>
      `<Constraint Name="http://sts.kombit.dk/constraints/orgenhed/1">${xml(UNIT_UUID[u])}</Constraint>`).join('');
    const roles = g.roles.map((r) => `<Privilege>${xml(DATA.roles[r])}</Privilege>`).join('');
    return `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${CVR[person.municipality]}">${constraints}${roles}</PrivilegeGroup>`;
  }).join('');
  const doc = `<?xml version="1.0" encoding="UTF-8"?><bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">${groups}</bpp:PrivilegeList>`;
  return Buffer.from(doc, 'utf8').toString('base64');
}

// What the broker says about the person in every API token.
function identityClaims(id) {
  const person = PEOPLE[id];
  if (!person) return {};
  return {
    name: person.name,
    email: person.email,
    loa: `https://data.gov.dk/concept/core/nsis/loa/${person.loa}`,
    privileges_intermediate: privilegesOf(person),
  };
}

const API_AUDIENCE = process.env.OMSORG_API_AUDIENCE || 'urn:omsorg:api';
// Short in tests that exercise the app's refresh-on-expiry.
const ACCESS_TTL = Number(process.env.OMSORG_IDP_ACCESS_TOKEN_SECONDS || 15 * 60);
// The care record's own resource (SPEC C5): its tokens last 90 minutes.
// In production this is the care record's identity service (a realm per
// municipality, federated with KOMBIT); here the broker stands in for it,
// so "Log ind i Nexus" passes through on the KOMBIT session as it would.
const CARE_AUDIENCE = process.env.OMSORG_CARE_AUDIENCE || 'urn:omsorg:care-record';
const CARE_TTL = Number(process.env.OMSORG_IDP_CARE_TOKEN_SECONDS || 90 * 60);
const SESSION_SECONDS = Number(process.env.OMSORG_IDP_SESSION_SECONDS || 8 * 3600);

async function findAccount(ctx, id) {
  const person = PEOPLE[id];
  if (!person) return undefined;
  return {
    accountId: id,
    async claims() {
      return {
        sub: id,
        name: person.name,
        email: person.email,
        email_verified: true,
        municipality: person.municipality,
      };
    },
  };
}

// Native apps would otherwise always get a consent prompt; the broker grants
// the app's scopes itself.
const policy = interactionPolicy.base();
policy.get('consent').checks.remove('native_client_prompt');

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: crypto.randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };
}

function configuration() {
  return {
    clients: [
      {
        client_id: 'omsorg-app',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // native + loopback: any port is accepted (RFC 8252 section 7.3).
        redirect_uris: ['http://127.0.0.1/callback', 'dk.omsorg.app:/oauth2redirect'],
      },
      {
        // The app as the care record's client: no refresh token, so the
        // integration session ends with its access token.
        client_id: 'omsorg-care',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback', 'dk.omsorg.app:/oauth2redirect'],
      },
    ],
    jwks: { keys: [signingKey()] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'offline_access', 'omsorg', 'care'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'municipality'],
      email: ['email', 'email_verified'],
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // The code exchange yields an opaque token for UserInfo; the app then asks
        // for an API token with `resource` on a refresh grant (RFC 8707).
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        // Each resource only for its own client: the app's API token is
        // not a care-record token, nor the other way round.
        getResourceServerInfo: (ctx, indicator, client) => {
          if (indicator === CARE_AUDIENCE && client.clientId === 'omsorg-care') {
            return { scope: 'care', audience: CARE_AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: CARE_TTL };
          }
          if (indicator === API_AUDIENCE && client.clientId === 'omsorg-app') {
            return { scope: 'omsorg', audience: API_AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: ACCESS_TTL };
          }
          throw new errors.InvalidTarget();
        },
      },
    },
    // When the person logged in, in the API token too: the backend lets a
    // fresh login set a new PIN without the current one (SPEC C2).
    // And who the person is in KOMBIT's terms: name, e-mail, NSIS level
    // and privileges (the backend provisions them from these).
    extraTokenClaims: async (ctx, token) => {
      const { RefreshToken, AuthorizationCode } = ctx.oidc.entities;
      const authTime = RefreshToken?.authTime ?? AuthorizationCode?.authTime;
      return { ...identityClaims(token.accountId), ...(authTime ? { auth_time: authTime } : {}) };
    },
    issueRefreshToken: async (ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    ttl: {
      Session: SESSION_SECONDS,
      Interaction: 600,
      Grant: SESSION_SECONDS,
      // A resource's own lifetime (the care record's 90 minutes), else the API's.
      AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL ?? ACCESS_TTL,
      IdToken: 15 * 60,
      AuthorizationCode: 60,
      RefreshToken: SESSION_SECONDS,
    },
    interactions: { policy, url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    findAccount,
  };
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage({ uid, hint, error }) {
  const municipality = MUNICIPALITY_NAMES[hint];
  return `<!doctype html>
<html lang="da"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log ind – KOMBIT (udvikling)</title>
<style>
 body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
 label{display:block;font-weight:600;margin-top:1rem} input{font:inherit;width:100%;min-height:48px;padding:.5rem;box-sizing:border-box}
 button,a.cancel{display:inline-block;font:inherit;min-height:48px;margin-top:1.2rem;padding:.6rem 1.2rem;border-radius:8px}
 button{background:#1f5fa8;color:#fff;border:0} a.cancel{color:#1f5fa8}
 .error{background:#fde8e8;color:#8a1111;padding:.8rem;border-radius:8px}
</style></head><body>
<h1>Log ind</h1>
<p>Fælles kommunalt login (udviklingsmiljø)${municipality ? ` for <strong id="municipality">${escape(municipality)} Kommune</strong>` : ''}.</p>
${error ? '<p class="error" id="login-error" role="alert">Forkert brugernavn eller adgangskode. Prøv igen.</p>' : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
 <label for="username">Brugernavn</label><input id="username" name="username" required autofocus>
 <label for="password">Adgangskode</label><input id="password" name="password" type="password" required>
 <button id="submit" type="submit">Log ind</button>
 <a class="cancel" id="cancel" href="/interaction/${escape(uid)}/abort">Annuller</a>
</form></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

// Development and tests only: the municipality's role catalogue changes a
// person's privileges (`PUT /dev/people/<id>/privileges` with a JSON list of
// `{roles, units}`); their next token carries the change.
async function catalogue(ctx, next) {
  const match = ctx.path.match(/^\/dev\/people\/([\w-]+)\/privileges$/);
  if (!match || ctx.method !== 'PUT') return next();
  const person = PEOPLE[match[1]];
  if (!person) { ctx.status = 404; return undefined; }
  let body = '';
  for await (const chunk of ctx.req) {
    body += chunk;
    if (body.length > 10_000) { ctx.status = 413; return undefined; }
  }
  let grants;
  try { grants = JSON.parse(body); } catch { ctx.status = 400; return undefined; }
  const known = (g) => Array.isArray(g.roles) && g.roles.every((r) => DATA.roles[r])
    && Array.isArray(g.units) && g.units.every((u) => UNIT_UUID[u]);
  if (!Array.isArray(grants) || !grants.every(known)) { ctx.status = 400; return undefined; }
  person.privileges = grants;
  ctx.status = 204;
  return undefined;
}

function interactions(provider) {
  return async (ctx, next) => {
    const match = ctx.path.match(/^\/interaction\/([\w-]+)(\/login|\/abort)?$/);
    if (!match) return next();
    const [, , action] = match;
    ctx.set('cache-control', 'no-store');
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { prompt, params } = details;

    if (!action && ctx.method === 'GET' && prompt.name === 'login') {
      ctx.type = 'html';
      ctx.body = loginPage({ uid: details.uid, hint: params.login_hint, error: ctx.query.error });
      return undefined;
    }
    if (!action && prompt.name === 'consent') {
      // The broker grants the first-party app what it asks for: no consent page.
      const missing = prompt.details;
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      return provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    if (action === '/login' && ctx.method === 'POST') {
      const form = await readForm(ctx.req);
      const username = (form.get('username') || '').trim().toLowerCase();
      const person = PEOPLE[username];
      const given = Buffer.from(form.get('password') || '');
      const ok = person && given.length === person.password.length
        && crypto.timingSafeEqual(given, Buffer.from(person.password));
      if (!ok) {
        ctx.redirect(`/interaction/${details.uid}?error=1`);
        return undefined;
      }
      return provider.interactionFinished(ctx.req, ctx.res, {
        login: { accountId: username, remember: true },
      }, { mergeWithLastSubmission: false });
    }
    if (action === '/abort') {
      return provider.interactionFinished(ctx.req, ctx.res, {
        error: 'access_denied', error_description: 'the person cancelled the login',
      }, { mergeWithLastSubmission: false });
    }
    ctx.status = 404;
    return undefined;
  };
}

const server = http.createServer();
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  phase('port bound');
  const provider = new Provider(issuer, configuration());
  provider.use(catalogue);
  provider.use(interactions(provider));
  server.on('request', provider.callback());
  phase('provider ready');
  console.log(`dev-idp listening on ${issuer}`);
});
// Nothing to flush (in-memory state): stop at once, open keep-alive connections or not.
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
