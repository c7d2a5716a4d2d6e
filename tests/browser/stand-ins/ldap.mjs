// A real OpenLDAP for the browser tests, through tests/directory/slapd.sh (Debian's slapd and
// ldap-utils): the directory dc=example,dc=edu,dc=cn with the memberof overlay, seeded with an
// LDIF written at test time (the people carry the demo's real staff numbers).
//
//   const dir = mkdtempSync(…);
//   writeFileSync(join(dir, 'seed.ldif'), ldif({ people: [...], groups: [...] }));
//   startSlapd(dir, port, join(dir, 'seed.ldif'));
//   stopSlapd(dir);

import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const SLAPD_SH = resolve(HERE, '../../directory/slapd.sh');

export const SUFFIX = 'dc=example,dc=edu,dc=cn';
export const SERVICE_DN = `cn=zeren,ou=services,${SUFFIX}`;
export const SERVICE_PASSWORD = 'Service@2026';
export const PEOPLE_DN = `ou=people,${SUFFIX}`;
export const GROUPS_DN = `ou=groups,${SUFFIX}`;

/** The DN of a person by uid, and of a group by cn. */
export const personDn = (uid) => `uid=${uid},${PEOPLE_DN}`;
export const groupDn = (cn) => `cn=${cn},${GROUPS_DN}`;

/** An LDIF value: as it is when plain ASCII, base64 (`::`) otherwise. */
function attr(name, value) {
  return /^[\x20-\x7e]*$/.test(value) && !/^[ :<]/.test(value) && !/ $/.test(value)
    ? `${name}: ${value}`
    : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

/**
 * The seed: the tree and the service account, then `people` (`{ uid, cn, employeeNumber?,
 * password }`), then `groups` (`{ cn, members: [uid] }`), after their members for the memberof
 * overlay to write memberOf.
 */
export function ldif({ people = [], groups = [] }) {
  const entries = [
    [`dn: ${SUFFIX}`, 'objectClass: top', 'objectClass: dcObject', 'objectClass: organization', 'dc: example', 'o: Example University'],
    [`dn: ${PEOPLE_DN}`, 'objectClass: organizationalUnit', 'ou: people'],
    [`dn: ${GROUPS_DN}`, 'objectClass: organizationalUnit', 'ou: groups'],
    [`dn: ou=services,${SUFFIX}`, 'objectClass: organizationalUnit', 'ou: services'],
    [
      `dn: ${SERVICE_DN}`,
      'objectClass: organizationalRole',
      'objectClass: simpleSecurityObject',
      'cn: zeren',
      attr('userPassword', SERVICE_PASSWORD),
    ],
  ];
  for (const p of people) {
    entries.push([
      `dn: ${personDn(p.uid)}`,
      'objectClass: inetOrgPerson',
      `uid: ${p.uid}`,
      attr('cn', p.cn),
      attr('sn', p.cn.slice(0, 1)),
      ...(p.employeeNumber ? [attr('employeeNumber', p.employeeNumber)] : []),
      attr('mail', `${p.uid}@example.edu.cn`),
      attr('userPassword', p.password),
    ]);
  }
  for (const g of groups) {
    entries.push([
      `dn: ${groupDn(g.cn)}`,
      'objectClass: groupOfNames',
      `cn: ${g.cn}`,
      ...g.members.map((uid) => `member: ${personDn(uid)}`),
    ]);
  }
  return entries.map((e) => e.join('\n')).join('\n\n') + '\n';
}

function run(args) {
  const r = spawnSync('bash', [SLAPD_SH, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, SLAPD_PARENT_PID: String(process.pid) },
  });
  if (r.status !== 0) {
    throw new Error(`slapd.sh ${args.join(' ')} exited ${r.status ?? r.signal}\n${r.stderr}\n${r.stdout}`);
  }
  return r.stdout;
}

/** Starts slapd from `dir` on 127.0.0.1:`port`, seeded from `seed`; waits until it answers. */
export function startSlapd(dir, port, seed) {
  return run(['start', dir, String(port), seed]);
}

/** Stops the slapd of `dir` (nothing when none runs). */
export function stopSlapd(dir) {
  return run(['stop', dir]);
}

/** The server's own log, for a failing test. */
export function slapdLog(dir) {
  return join(dir, 'slapd.log');
}
