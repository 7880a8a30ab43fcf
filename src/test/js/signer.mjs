#!/usr/bin/env node
/*
 * signer.mjs — an independent Sigstore signer for promgate's tests.
 *
 * promgate verifies what other tools sign, so its tests need signatures that promgate's own code
 * did not make. This script signs container images keylessly with sigstore-js (@sigstore/sign)
 * against a local Sigstore instance: a Fulcio CA, a CT log, a Rekor (v1) log and optionally a
 * timestamp authority, served in-process by @sigstore/mock through nock (no network, no server).
 * Bundles are attached to images in a registry with @sigstore/oci, the way cosign 3 does it
 * (OCI 1.1 referrers, or the referrers tag schema `sha256-<hex>` where the registry lacks the API).
 *
 * Setup:  npm ci --prefix src/test/js          (Node 20; versions pinned in package-lock.json)
 *
 * Every command prints one JSON object on stdout; files are written only where asked.
 *
 *   node signer.mjs trust-root --out DIR [--tsa]
 *       Creates (or re-uses) a local Sigstore instance in DIR: DIR/instance.json (private keys and
 *       certificates, for the signer only) and DIR/trusted_root.json (Sigstore TrustedRoot JSON,
 *       for the verifier). The Fulcio CA is a root -> intermediate chain. --tsa adds a timestamp
 *       authority; an instance keeps what it was created with.
 *       -> {"instance", "trustedRoot", "created", "tsa"}
 *
 *   node signer.mjs sign-image --instance DIR --registry HOST:PORT --repo NAME --digest sha256:HEX
 *       --identity EMAIL_OR_URI --issuer URL [--out FILE] [--no-push] [--annotation K=V]...
 *       [--message-signature [--manifest FILE]] [--tamper payload|signature|subject]
 *       A keyless image signature as `cosign sign --new-bundle-format` (cosign 3) makes it: a
 *       bundle v0.3 with a DSSE envelope over an in-toto Statement v1, predicate type
 *       https://sigstore.dev/cosign/sign/v1, predicate {}, one subject with a digest and no name
 *       (--annotation adds subject annotations). --message-signature makes a hashedrekord
 *       message-signature bundle over the image manifest instead (the manifest comes from
 *       --manifest or from the registry; its sha256 must equal --digest).
 *
 *   node signer.mjs attest-image --instance DIR --registry HOST:PORT --repo NAME --digest sha256:HEX
 *       --identity EMAIL_OR_URI --issuer URL --predicate-type TYPE
 *       (--predicate FILE.json | --predicate-json JSON) [--statement-version v1|v0.1]
 *       [--subject-name NAME] [--out FILE] [--no-push] [--tamper payload|signature|subject]
 *       A keyless DSSE attestation bundle v0.3: in-toto Statement (v1 by default) whose subject
 *       is name HOST:PORT/NAME (as cosign writes it; --subject-name overrides) and the digest.
 *
 *     sign-image and attest-image push the bundle to HOST:PORT/NAME as a referrer of the digest
 *     (artifact type application/vnd.dev.sigstore.bundle.v0.3+json) unless --no-push.
 *     The identity becomes the certificate's SAN (an email SAN when it looks like an address,
 *     else a URI SAN); the issuer goes into the Fulcio extensions 1.3.6.1.4.1.57264.1.1 and .1.8.
 *     --tamper alters the finished bundle: payload (the signed statement, DSSE only), signature
 *     (one bit of the signature) or subject (the subject digest / message digest).
 *     -> {"bundle", "bundlePath", "mediaType", "content", "statement", "certificate",
 *         "identity", "issuer", "tamper", "pushed": null | {"image", "manifestDigest", "referrersTag"}}
 *
 *   node signer.mjs cosign-sign-legacy --instance DIR --digest sha256:HEX --docker-reference NAME
 *       --identity EMAIL_OR_URI --issuer URL [--no-tlog]
 *       A keyless image signature in cosign's legacy layout, one layer of a `sha256-<hex>.sig`
 *       manifest as `cosign sign --timestamp-server-url` (cosign 2, without --new-bundle-format)
 *       writes it: the simple-signing payload and the annotations dev.cosignproject.cosign/signature,
 *       dev.sigstore.cosign/certificate, dev.sigstore.cosign/chain, dev.sigstore.cosign/bundle (the
 *       Rekor entry with its SET; left out with --no-tlog, as --tlog-upload=false does) and, when the
 *       instance has a TSA, dev.sigstore.cosign/rfc3161timestamp ({"SignedRFC3161Timestamp": base64
 *       DER} over the raw signature bytes). Nothing is pushed.
 *       -> {"payload" (base64), "mediaType", "annotations"}
 *
 *   node signer.mjs cosign-attest-legacy --instance DIR --digest sha256:HEX --docker-reference NAME
 *       --identity EMAIL_OR_URI --issuer URL --predicate-type TYPE --predicate-json JSON
 *       A keyless attestation in cosign's legacy layout, one layer of a `sha256-<hex>.att` manifest
 *       as `cosign attest --timestamp-server-url --tlog-upload=false` (cosign 2) writes it: the DSSE
 *       envelope and the predicateType, certificate, chain and rfc3161timestamp annotations, the
 *       timestamp over the envelope bytes (cosign's payload). Needs an instance with a TSA.
 *       -> {"envelope" (base64), "mediaType", "annotations"}
 *
 *   node signer.mjs verify --trusted-root FILE --bundle FILE [--digest sha256:HEX]
 *       [--artifact FILE] [--identity SAN] [--issuer URL]
 *       Verifies a bundle with @sigstore/verify (and, given --digest, that the in-toto subject or
 *       the message digest is that digest). Message signatures need --artifact (the signed bytes).
 *       -> {"verified": true, "identity", "issuer"} (exit 0) or {"verified": false, "error"} (exit 2)
 *
 * Usage errors exit 1 with {"error": "..."} on stdout.
 *
 * The mocked services run inside this process; the only network traffic is to the registry named
 * by --registry (plain HTTP for 127.0.0.1/localhost, as @sigstore/oci decides).
 */
import nodeCrypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

// @sigstore/mock first: it loads the reflect-metadata polyfill that @peculiar/x509 needs.
import mockPkg from '@sigstore/mock';
import * as x509 from '@peculiar/x509';
import bundlePkg from '@sigstore/bundle';
import ociPkg from '@sigstore/oci';
import specsPkg from '@sigstore/protobuf-specs';
import signPkg from '@sigstore/sign';
import verifyPkg from '@sigstore/verify';
import nock from 'nock';

const { bundleFromJSON, bundleToJSON, BUNDLE_V03_MEDIA_TYPE } = bundlePkg;
const { fulcioHandler, initializeCTLog, initializeTLog, initializeTSA, rekorHandler, tsaHandler } = mockPkg;
const { attachArtifactToImage } = ociPkg;
const { HashAlgorithm, PublicKeyDetails, TrustedRoot } = specsPkg;
const { DSSEBundleBuilder, FulcioSigner, MessageSignatureBundleBuilder, RekorWitness, TSAWitness } = signPkg;
const { toSignedEntity, toTrustMaterial, Verifier } = verifyPkg;

const webcrypto = globalThis.crypto;
x509.cryptoProvider.set(webcrypto);

const INSTANCE_FORMAT = 'promgate-test-sigstore-instance/v1';
const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';
const STATEMENT_TYPES = { v1: 'https://in-toto.io/Statement/v1', 'v0.1': 'https://in-toto.io/Statement/v0.1' };
const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(',');
// Names under a reserved TLD: nothing here can reach a real Sigstore service.
const SERVICE_URLS = {
  fulcio: 'https://fulcio.promgate.test',
  ctlog: 'https://ctfe.promgate.test',
  rekor: 'https://rekor.promgate.test',
  tsa: 'https://tsa.promgate.test',
};
const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';
const OID_EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const HOUR_MS = 60 * 60 * 1000;
const LEAF_LIFETIME_MS = 10 * 60 * 1000;
const CA_LIFETIME_MS = 5 * 365 * 24 * HOUR_MS;
const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Small encoding helpers
// ---------------------------------------------------------------------------------------------

const sha256 = (data) => nodeCrypto.createHash('sha256').update(data).digest();
const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const b64url = (bytes) => Buffer.from(bytes).toString('base64url');

// A Buffer that owns exactly its bytes: @sigstore/mock reads `.buffer` of what the CA returns.
const ownedBuffer = (arrayBuffer) => Buffer.from(new Uint8Array(arrayBuffer).slice().buffer);

function derLength(length) {
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x100) return Buffer.from([0x81, length]);
  return Buffer.from([0x82, length >> 8, length & 0xff]);
}

const derTLV = (tag, value) => Buffer.concat([Buffer.from([tag]), derLength(value.length), value]);

// PEM the way real Rekor stores verifiers: 64-character lines (Fulcio mocks send one long line).
function canonicalPem(pemOrDer) {
  const der = Buffer.isBuffer(pemOrDer) && !pemOrDer.toString('latin1').startsWith('-----')
    ? pemOrDer
    : Buffer.from(pemOrDer.toString().replace(/-----(BEGIN|END) [^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const lines = der.toString('base64').match(/.{1,64}/g);
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

const keyPem = (keyObject) => keyObject.export({ type: 'pkcs8', format: 'pem' });
const spkiDer = (keyObject) => nodeCrypto.createPublicKey(keyObject).export({ type: 'spki', format: 'der' });

function nodeKeyPair(privatePem) {
  const privateKey = nodeCrypto.createPrivateKey(privatePem);
  return { privateKey, publicKey: nodeCrypto.createPublicKey(privateKey) };
}

async function webKeyPair(privatePem) {
  const { privateKey, publicKey } = nodeKeyPair(privatePem);
  const namedCurve = { prime256v1: 'P-256', secp384r1: 'P-384' }[privateKey.asymmetricKeyDetails.namedCurve];
  const algorithm = { name: 'ECDSA', namedCurve };
  return {
    privateKey: await webcrypto.subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), algorithm, true, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), algorithm, true, ['verify']),
  };
}

const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-384' };

// ---------------------------------------------------------------------------------------------
// trust-root: the instance's key material and its trusted_root.json
// ---------------------------------------------------------------------------------------------

async function createInstance(withTsa) {
  const now = Date.now();
  // Back-dated an hour so that a signature made in the same second as the instance is inside
  // every validity window, whatever the verifier's rounding.
  const notBefore = new Date(now - HOUR_MS);
  const notAfter = new Date(now + CA_LIFETIME_MS);
  const generate = (namedCurve) => nodeCrypto.generateKeyPairSync('ec', { namedCurve });

  const rootKeys = generate('secp384r1');
  const intermediateKeys = generate('secp384r1');
  const rootWeb = await webKeyPair(keyPem(rootKeys.privateKey));
  const intermediateWeb = await webKeyPair(keyPem(intermediateKeys.privateKey));

  const rootName = 'CN=promgate-test-fulcio-root,O=promgate.test';
  const intermediateName = 'CN=promgate-test-fulcio-intermediate,O=promgate.test';
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: rootName,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    keys: rootWeb,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootWeb.publicKey),
    ],
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: intermediateName,
    issuer: rootName,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: intermediateWeb.publicKey,
    signingKey: rootWeb.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.ExtendedKeyUsageExtension([OID_EKU_CODE_SIGNING]),
      await x509.SubjectKeyIdentifierExtension.create(intermediateWeb.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootWeb.publicKey),
    ],
  });

  const instance = {
    format: INSTANCE_FORMAT,
    createdAt: new Date(now).toISOString(),
    validFrom: notBefore.toISOString(),
    urls: SERVICE_URLS,
    fulcio: {
      rootKey: keyPem(rootKeys.privateKey),
      intermediateKey: keyPem(intermediateKeys.privateKey),
      rootCertificate: b64(root.rawData),
      intermediateCertificate: b64(intermediate.rawData),
    },
    ctlog: { privateKey: keyPem(generate('prime256v1').privateKey) },
    rekor: { privateKey: keyPem(generate('prime256v1').privateKey) },
  };
  if (withTsa) {
    // The TSA's root and signing certificates, made here rather than by @sigstore/mock (whose
    // certificates start at the instant they are made): back-dated like the Fulcio chain, so that
    // a timestamp made in the same second as the instance is inside their validity. Same names,
    // one key for both, as the mock's; later runs (separate processes) sign with these.
    const tsaKeys = generate('prime256v1');
    const tsaWeb = await webKeyPair(keyPem(tsaKeys.privateKey));
    const tsaRootName = 'CN=tsa,O=sigstore.mock';
    const tsaRoot = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: tsaRootName,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING_ALGORITHM,
      keys: tsaWeb,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.keyCertSign, true),
        await x509.SubjectKeyIdentifierExtension.create(tsaWeb.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(tsaWeb.publicKey),
      ],
    });
    const tsaSigning = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: 'CN=tsa signing,O=sigstore.mock',
      issuer: tsaRootName,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING_ALGORITHM,
      publicKey: tsaWeb.publicKey,
      signingKey: tsaWeb.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.timeStamping], true),
        await x509.SubjectKeyIdentifierExtension.create(tsaWeb.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(tsaWeb.publicKey),
      ],
    });
    instance.tsa = {
      privateKey: keyPem(tsaKeys.privateKey),
      rootCertificate: b64(tsaRoot.rawData),
      signingCertificate: b64(tsaSigning.rawData),
    };
  }
  return instance;
}

function randomSerial() {
  const bytes = nodeCrypto.randomBytes(16);
  bytes[0] &= 0x7f; // positive
  bytes[0] |= 0x01; // no leading zero byte
  return bytes.toString('hex');
}

function trustedRootOf(instance) {
  const validFor = { start: new Date(instance.validFrom), end: undefined };
  const logKey = (privatePem) => {
    const der = spkiDer(nodeCrypto.createPrivateKey(privatePem));
    return {
      publicKey: { rawBytes: der, keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256, validFor },
      logId: { keyId: sha256(der) },
    };
  };
  const certificate = (base64Der) => ({ rawBytes: Buffer.from(base64Der, 'base64') });
  const root = {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [{ baseUrl: instance.urls.rekor, hashAlgorithm: HashAlgorithm.SHA2_256, ...logKey(instance.rekor.privateKey), checkpointKeyId: undefined, operator: '' }],
    certificateAuthorities: [{
      subject: { organization: 'promgate.test', commonName: 'promgate-test-fulcio-root' },
      uri: instance.urls.fulcio,
      // leaf-most first: intermediate, then root
      certChain: { certificates: [certificate(instance.fulcio.intermediateCertificate), certificate(instance.fulcio.rootCertificate)] },
      validFor,
      operator: '',
    }],
    ctlogs: [{ baseUrl: instance.urls.ctlog, hashAlgorithm: HashAlgorithm.SHA2_256, ...logKey(instance.ctlog.privateKey), checkpointKeyId: undefined, operator: '' }],
    timestampAuthorities: instance.tsa ? [{
      subject: { organization: 'sigstore.mock', commonName: 'tsa' },
      uri: instance.urls.tsa,
      certChain: { certificates: [certificate(instance.tsa.signingCertificate), certificate(instance.tsa.rootCertificate)] },
      validFor,
      operator: '',
    }] : [],
  };
  return TrustedRoot.toJSON(root);
}

async function trustRootCommand(args) {
  const dir = path.resolve(required(args, 'out'));
  fs.mkdirSync(dir, { recursive: true });
  const instancePath = path.join(dir, 'instance.json');
  let created = false;
  if (!fs.existsSync(instancePath)) {
    const instance = await createInstance(Boolean(args.tsa));
    fs.writeFileSync(instancePath, JSON.stringify(instance, null, 2) + '\n', { mode: 0o600 });
    created = true;
  }
  const instance = loadInstance(dir);
  const trustedRootPath = path.join(dir, 'trusted_root.json');
  fs.writeFileSync(trustedRootPath, JSON.stringify(trustedRootOf(instance), null, 2) + '\n');
  return { instance: instancePath, trustedRoot: trustedRootPath, created, tsa: Boolean(instance.tsa) };
}

function loadInstance(dir) {
  const file = path.join(path.resolve(dir), 'instance.json');
  if (!fs.existsSync(file)) {
    throw new UsageError(`no Sigstore instance at ${file}: run "trust-root --out ${dir}" first`);
  }
  const instance = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (instance.format !== INSTANCE_FORMAT) {
    throw new UsageError(`${file} is not a ${INSTANCE_FORMAT} instance`);
  }
  return instance;
}

// ---------------------------------------------------------------------------------------------
// The mocked services, wired to the instance's keys
// ---------------------------------------------------------------------------------------------

// A Fulcio CA issuing from the instance's intermediate, as real Fulcio does: empty subject, a
// critical SAN (email or URI), code-signing EKU, the issuer extensions, and an embedded SCT.
async function fulcioCA(instance, ctLog) {
  const intermediate = new x509.X509Certificate(Buffer.from(instance.fulcio.intermediateCertificate, 'base64'));
  const intermediateKeys = await webKeyPair(instance.fulcio.intermediateKey);
  const issuerId = sha256(spkiDer(nodeCrypto.createPrivateKey(instance.fulcio.intermediateKey)));
  return {
    // fulcioHandler sends [leaf, rootCertificate] back; the signer keeps only the leaf.
    rootCertificate: ownedBuffer(intermediate.rawData),
    async issueCertificate({ publicKey, subjectAltName, extensions }) {
      const key = await webcrypto.subtle.importKey('spki', publicKey, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
      // Whole seconds, as a certificate stores them: a timestamp or log entry made in the same
      // second as the certificate is then never before its notBefore, however it rounds.
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const tbs = {
        serialNumber: randomSerial(),
        issuer: intermediate.subject,
        // Back-dated a minute: the certificate's time is written in whole seconds, and the mock
        // TSA's clock is fixed when the services start; on a busy machine more than a second can
        // pass before this certificate is issued, and a timestamp older than it fails verification.
        notBefore: new Date(now.getTime() - 60_000),
        notAfter: new Date(now.getTime() + LEAF_LIFETIME_MS),
        signingAlgorithm: SIGNING_ALGORITHM,
        publicKey: key,
        signingKey: intermediateKeys.privateKey,
        extensions: [
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([OID_EKU_CODE_SIGNING]),
          await x509.SubjectKeyIdentifierExtension.create(key),
          await x509.AuthorityKeyIdentifierExtension.create(intermediateKeys.publicKey),
          new x509.SubjectAlternativeNameExtension([sanOf(subjectAltName)], true),
          ...extensions.map(fulcioExtension),
        ],
      };
      // The SCT signs the certificate as it is without the SCT list (the precertificate TBS).
      const precertificate = await x509.X509CertificateGenerator.create(tbs);
      const sct = Buffer.from(await ctLog.log(precertificate.rawData, issuerId));
      const serializedList = Buffer.concat([Buffer.from([sct.length >> 8, sct.length & 0xff]), sct]);
      tbs.extensions.push(new x509.Extension(OID_SCT_LIST, false, derTLV(0x04, serializedList)));
      const certificate = await x509.X509CertificateGenerator.create(tbs);
      return ownedBuffer(certificate.rawData);
    },
  };
}

function sanOf(identity) {
  const isEmail = /^[^@\s/:]+@[^@\s/]+$/.test(identity);
  return isEmail ? { type: 'email', value: identity } : { type: 'url', value: identity };
}

// fulcioHandler maps the token's claims to {oid, value, legacy} (the issuer to 1.3.6.1.4.1.57264.1.1
// and .1.8): legacy extensions hold the raw string, the others a DER UTF8String.
function fulcioExtension({ oid, value, legacy }) {
  const raw = Buffer.from(String(value), 'utf8');
  return new x509.Extension(oid, false, legacy ? raw : derTLV(0x0c, raw));
}

// Rekor stores the canonical entry, not what the client proposed (@sigstore/mock stores the
// proposal): for dsse the envelope and payload hashes plus each signature with its verifier.
function canonicalRekorEntry(proposed) {
  switch (`${proposed.kind}:${proposed.apiVersion}`) {
    case 'dsse:0.0.1': {
      const { envelope, verifiers } = proposed.spec.proposedContent;
      const parsed = JSON.parse(envelope);
      const payload = Buffer.from(parsed.payload, 'base64');
      const verifierPem = canonicalPem(Buffer.from(verifiers[0], 'base64'));
      const publicKey = new nodeCrypto.X509Certificate(verifierPem).publicKey;
      const pae = preAuthEncoding(parsed.payloadType, payload);
      for (const signature of parsed.signatures) {
        if (!nodeCrypto.verify('sha256', pae, publicKey, Buffer.from(signature.sig, 'base64'))) {
          throw new Error('dsse envelope signature does not verify with the given verifier');
        }
      }
      return {
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: {
          envelopeHash: { algorithm: 'sha256', value: sha256(envelope).toString('hex') },
          payloadHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') },
          signatures: parsed.signatures.map((s) => ({ signature: s.sig, verifier: b64(verifierPem) })),
        },
      };
    }
    case 'hashedrekord:0.0.1': {
      const { data, signature } = proposed.spec;
      return {
        apiVersion: '0.0.1',
        kind: 'hashedrekord',
        spec: {
          data: { hash: { algorithm: data.hash.algorithm, value: data.hash.value } },
          signature: {
            content: signature.content,
            publicKey: { content: b64(canonicalPem(Buffer.from(signature.publicKey.content, 'base64'))) },
          },
        },
      };
    }
    default:
      throw new Error(`unsupported Rekor entry ${proposed.kind}:${proposed.apiVersion}`);
  }
}

function preAuthEncoding(payloadType, payload) {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

// The TSA of @sigstore/mock with the certificates kept in the instance and a whole-second clock
// (@sigstore/core rejects RFC 3161 times with fewer than three fraction digits). The clock is read
// when each timestamp is made (the mock reads options.clock per request), not when the services
// start: a timestamp is then never earlier than the certificate it vouches for.
async function timestampAuthority(instance) {
  const keys = nodeKeyPair(instance.tsa.privateKey);
  const fresh = await initializeTSA(keys, wholeSecondNow());
  const Certificate = fresh.rootCert.constructor;
  const TSA = fresh.constructor;
  return new TSA({
    rootCertificate: Certificate.fromBER(Buffer.from(instance.tsa.rootCertificate, 'base64')),
    intCertificate: Certificate.fromBER(Buffer.from(instance.tsa.signingCertificate, 'base64')),
    keyPair: fresh.keyPair,
    get clock() {
      return wholeSecondNow();
    },
  });
}

function wholeSecondNow() {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

async function installServices(instance, registryHost) {
  nock.disableNetConnect();
  if (registryHost) nock.enableNetConnect(registryHost);

  const ctLog = await initializeCTLog(nodeKeyPair(instance.ctlog.privateKey));
  const ca = await fulcioCA(instance, ctLog);
  const tlog = await initializeTLog(instance.urls.rekor, nodeKeyPair(instance.rekor.privateKey));
  const canonicalTLog = { log: (proposed) => tlog.log(canonicalRekorEntry(proposed)) };
  serve(instance.urls.fulcio, fulcioHandler(ca));
  serve(instance.urls.rekor, rekorHandler(canonicalTLog));
  if (instance.tsa) {
    serve(instance.urls.tsa, tsaHandler(await timestampAuthority(instance)));
  }
}

// @sigstore/mock's own `mock()` registers single-use interceptors; these stay.
function serve(baseUrl, handler) {
  nock(baseUrl).persist().post(handler.path).reply(async (_uri, body) => {
    const request = typeof body === 'string' ? body : JSON.stringify(body);
    const { statusCode, response, contentType } = await handler.fn(request);
    return [statusCode, response, { 'Content-Type': contentType || 'text/plain' }];
  });
}

// ---------------------------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------------------------

// A locally made OIDC token: the mock Fulcio reads its claims without checking the issuer.
function identityToken(identity, issuer) {
  const { privateKey } = nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer, sub: identity, aud: 'sigstore', iat: now, exp: now + 600 };
  if (sanOf(identity).type === 'email') {
    Object.assign(claims, { email: identity, email_verified: true });
  }
  const signingInput = `${b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  const signature = nodeCrypto.sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${b64url(signature)}`;
}

async function signBundle({ instance, registry, identity, issuer }, { kind, data, payloadType, tlog = true }) {
  await installServices(instance, registry);
  const token = identityToken(identity, issuer);
  const signer = new FulcioSigner({
    fulcioBaseURL: instance.urls.fulcio,
    identityProvider: { getToken: async () => token },
  });
  const witnesses = tlog ? [new RekorWitness({ rekorBaseURL: instance.urls.rekor, entryType: 'dsse' })] : [];
  if (instance.tsa) witnesses.push(new TSAWitness({ tsaBaseURL: instance.urls.tsa }));
  const builder = kind === 'dsse'
    ? new DSSEBundleBuilder({ signer, witnesses, certificateChain: false })
    : new MessageSignatureBundleBuilder({ signer, witnesses });
  const bundle = bundleToJSON(await builder.create({ data, type: payloadType }));
  if (kind === 'message') {
    // @sigstore/sign writes message signatures as v0.2 with a one-certificate chain; cosign 3 and
    // sigstore-js' own DSSE bundles use v0.3 with a single certificate. Only the envelope changes.
    bundle.mediaType = BUNDLE_V03_MEDIA_TYPE;
    const leaf = bundle.verificationMaterial.x509CertificateChain.certificates[0];
    delete bundle.verificationMaterial.x509CertificateChain;
    bundle.verificationMaterial = { certificate: leaf, ...bundle.verificationMaterial };
  }
  return bundle;
}

function statementFor({ version, subject, predicateType, predicate }) {
  const type = STATEMENT_TYPES[version];
  if (!type) throw new UsageError(`--statement-version must be v1 or v0.1, not ${version}`);
  return version === 'v0.1'
    ? { _type: type, predicateType, subject: [subject], predicate }
    : { _type: type, subject: [subject], predicateType, predicate };
}

function tamperBundle(bundle, how) {
  const flipBit = (base64) => {
    const bytes = Buffer.from(base64, 'base64');
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    return bytes.toString('base64');
  };
  const otherDigest = (hex) => sha256(`tampered:${hex}`).toString('hex');
  const envelope = bundle.dsseEnvelope;
  const message = bundle.messageSignature;
  switch (how) {
    case 'signature':
      if (envelope) envelope.signatures[0].sig = flipBit(envelope.signatures[0].sig);
      else message.signature = flipBit(message.signature);
      return bundle;
    case 'payload': {
      if (!envelope) throw new UsageError('--tamper payload needs a DSSE bundle (not --message-signature)');
      const statement = JSON.parse(Buffer.from(envelope.payload, 'base64'));
      statement.predicate = { ...statement.predicate, tampered: true };
      envelope.payload = b64(JSON.stringify(statement));
      return bundle;
    }
    case 'subject':
      if (envelope) {
        const statement = JSON.parse(Buffer.from(envelope.payload, 'base64'));
        for (const subject of statement.subject) subject.digest.sha256 = otherDigest(subject.digest.sha256);
        envelope.payload = b64(JSON.stringify(statement));
      } else {
        message.messageDigest.digest = b64(Buffer.from(otherDigest(Buffer.from(message.messageDigest.digest, 'base64').toString('hex')), 'hex'));
      }
      return bundle;
    default:
      throw new UsageError(`--tamper must be payload, signature or subject, not ${how}`);
  }
}

async function pushBundle({ registry, repo, digest, bundle, annotations }) {
  const image = `${registry}/${repo}`;
  const descriptor = await attachArtifactToImage({
    imageName: image,
    imageDigest: digest,
    artifact: Buffer.from(JSON.stringify(bundle)),
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    annotations,
    credentials: undefined,
    fetchOpts: { timeout: 30_000 },
  });
  return { image, manifestDigest: descriptor.digest, referrersTag: digest.replace(':', '-') };
}

async function fetchManifest(registry, repo, digest) {
  const scheme = /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(registry) ? 'http' : 'https';
  const response = await fetch(`${scheme}://${registry}/v2/${repo}/manifests/${digest}`, {
    headers: { Accept: MANIFEST_MEDIA_TYPES },
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status !== 200) {
    throw new UsageError(`registry answered ${response.status} for ${registry}/${repo}@${digest}`);
  }
  return Buffer.from(await response.arrayBuffer());
}

function imageArgs(args) {
  const digest = required(args, 'digest');
  if (!DIGEST_PATTERN.test(digest)) throw new UsageError(`--digest must be sha256:<64 hex>, not ${digest}`);
  const push = !args['no-push'];
  const registry = push ? required(args, 'registry') : args.registry;
  return {
    instance: loadInstance(required(args, 'instance')),
    registry,
    repo: required(args, 'repo'),
    digest,
    identity: required(args, 'identity'),
    issuer: required(args, 'issuer'),
    push,
  };
}

async function finishImageBundle(args, common, { bundle, statement, annotations }) {
  const signed = args.tamper ? tamperBundle(bundle, args.tamper) : bundle;
  let bundlePath = null;
  if (args.out) {
    bundlePath = path.resolve(args.out);
    fs.mkdirSync(path.dirname(bundlePath), { recursive: true });
    fs.writeFileSync(bundlePath, JSON.stringify(signed) + '\n');
  }
  const pushed = common.push
    ? await pushBundle({ ...common, bundle: signed, annotations })
    : null;
  const certificate = signed.verificationMaterial.certificate.rawBytes;
  return {
    bundle: signed,
    bundlePath,
    mediaType: signed.mediaType,
    content: signed.dsseEnvelope ? 'dsse-envelope' : 'message-signature',
    statement: signed.dsseEnvelope ? JSON.parse(Buffer.from(signed.dsseEnvelope.payload, 'base64')) : statement,
    certificate: canonicalPem(Buffer.from(certificate, 'base64')),
    identity: common.identity,
    issuer: common.issuer,
    tamper: args.tamper ?? null,
    pushed,
  };
}

async function signImageCommand(args) {
  const common = imageArgs(args);
  if (args['message-signature']) {
    const manifest = args.manifest
      ? fs.readFileSync(args.manifest)
      : await fetchManifest(required(args, 'registry'), common.repo, common.digest);
    const actual = `sha256:${sha256(manifest).toString('hex')}`;
    if (actual !== common.digest) {
      throw new UsageError(`the manifest hashes to ${actual}, not ${common.digest}`);
    }
    const bundle = await signBundle(common, { kind: 'message', data: manifest });
    return finishImageBundle(args, common, {
      bundle,
      statement: null,
      annotations: { 'dev.sigstore.bundle.content': 'message-signature' },
    });
  }
  const subject = { digest: { sha256: common.digest.slice('sha256:'.length) }, annotations: annotationsOf(args) };
  return signStatement(args, common,
    statementFor({ version: 'v1', subject, predicateType: COSIGN_SIGN_PREDICATE_TYPE, predicate: {} }));
}

async function attestImageCommand(args) {
  const common = imageArgs(args);
  const predicateType = required(args, 'predicate-type');
  let predicateText;
  if (args.predicate !== undefined) predicateText = fs.readFileSync(args.predicate, 'utf8');
  else if (args['predicate-json'] !== undefined) predicateText = args['predicate-json'];
  else throw new UsageError('attest-image needs --predicate FILE or --predicate-json JSON');
  const predicate = JSON.parse(predicateText);
  const name = args['subject-name'] ?? (common.registry ? `${common.registry}/${common.repo}` : common.repo);
  const subject = { name, digest: { sha256: common.digest.slice('sha256:'.length) } };
  return signStatement(args, common,
    statementFor({ version: args['statement-version'] ?? 'v1', subject, predicateType, predicate }));
}

async function signStatement(args, common, statement) {
  const bundle = await signBundle(common, {
    kind: 'dsse',
    data: Buffer.from(JSON.stringify(statement)),
    payloadType: IN_TOTO_PAYLOAD_TYPE,
  });
  return finishImageBundle(args, common, {
    bundle,
    statement,
    annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': statement.predicateType },
  });
}

function annotationsOf(args) {
  const annotations = {};
  for (const pair of args.annotation ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--annotation must be KEY=VALUE, not ${pair}`);
    annotations[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return annotations;
}

// ---------------------------------------------------------------------------------------------
// cosign-sign-legacy: a .sig layer in cosign's legacy layout
// ---------------------------------------------------------------------------------------------

// cosign 2's simple-signing payload, as Go's encoding/json writes its struct.
function simpleSigningPayload(dockerReference, digest) {
  return Buffer.from(JSON.stringify({
    critical: {
      identity: { 'docker-reference': dockerReference },
      image: { 'docker-manifest-digest': digest },
      type: 'cosign container image signature',
    },
    optional: null,
  }));
}

// The message signature over the payload is what cosign signs; its Rekor entry (hashedrekord of
// the payload) and its RFC 3161 timestamp (over the raw signature bytes, as both cosign and
// sigstore-js' TSAWitness timestamp it) become the layer's annotations.
async function cosignSignLegacyCommand(args) {
  const digest = required(args, 'digest');
  if (!DIGEST_PATTERN.test(digest)) throw new UsageError(`--digest must be sha256:<64 hex>, not ${digest}`);
  const instance = loadInstance(required(args, 'instance'));
  const payload = simpleSigningPayload(required(args, 'docker-reference'), digest);
  const tlog = !args['no-tlog'];
  const bundle = await signBundle(
    { instance, registry: undefined, identity: required(args, 'identity'), issuer: required(args, 'issuer') },
    { kind: 'message', data: payload, tlog });
  const material = bundle.verificationMaterial;
  const annotations = {
    'dev.cosignproject.cosign/signature': bundle.messageSignature.signature,
    'dev.sigstore.cosign/certificate': canonicalPem(Buffer.from(material.certificate.rawBytes, 'base64')),
    'dev.sigstore.cosign/chain': canonicalPem(Buffer.from(instance.fulcio.intermediateCertificate, 'base64'))
      + canonicalPem(Buffer.from(instance.fulcio.rootCertificate, 'base64')),
  };
  const entry = (material.tlogEntries ?? [])[0];
  if (entry) {
    annotations['dev.sigstore.cosign/bundle'] = JSON.stringify({
      SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp,
      Payload: {
        body: entry.canonicalizedBody,
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex),
        logID: Buffer.from(entry.logId.keyId, 'base64').toString('hex'),
      },
    });
  }
  const stamp = (material.timestampVerificationData?.rfc3161Timestamps ?? [])[0];
  if (stamp) {
    annotations['dev.sigstore.cosign/rfc3161timestamp'] = JSON.stringify({ SignedRFC3161Timestamp: stamp.signedTimestamp });
  }
  return {
    payload: b64(payload),
    mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    annotations,
  };
}

// cosign attest --timestamp-server-url (cosign 2): the .att layer is the DSSE envelope as cosign
// writes it, and its timestamp is over those envelope bytes (cosign's payload), not a signature.
async function cosignAttestLegacyCommand(args) {
  const digest = required(args, 'digest');
  if (!DIGEST_PATTERN.test(digest)) throw new UsageError(`--digest must be sha256:<64 hex>, not ${digest}`);
  const instance = loadInstance(required(args, 'instance'));
  if (!instance.tsa) throw new UsageError('cosign-attest-legacy needs an instance with a timestamp authority');
  const predicateType = required(args, 'predicate-type');
  const subject = { name: required(args, 'docker-reference'), digest: { sha256: digest.slice('sha256:'.length) } };
  const statement = statementFor({ version: 'v1', subject, predicateType, predicate: JSON.parse(required(args, 'predicate-json')) });
  const bundle = await signBundle(
    { instance, registry: undefined, identity: required(args, 'identity'), issuer: required(args, 'issuer') },
    { kind: 'dsse', data: Buffer.from(JSON.stringify(statement)), payloadType: IN_TOTO_PAYLOAD_TYPE, tlog: false });
  const dsse = bundle.dsseEnvelope;
  const envelope = Buffer.from(JSON.stringify({
    payloadType: dsse.payloadType,
    payload: dsse.payload,
    signatures: dsse.signatures.map((s) => ({ keyid: s.keyid ?? '', sig: s.sig })),
  }));
  // TSAWitness timestamps whatever it is given as the signature: here the envelope bytes.
  const witness = new TSAWitness({ tsaBaseURL: instance.urls.tsa });
  const { rfc3161Timestamps } = await witness.testify({ $case: 'messageSignature', messageSignature: { signature: envelope } });
  return {
    envelope: b64(envelope),
    mediaType: 'application/vnd.dsse.envelope.v1+json',
    annotations: {
      predicateType,
      'dev.sigstore.cosign/certificate': canonicalPem(Buffer.from(bundle.verificationMaterial.certificate.rawBytes, 'base64')),
      'dev.sigstore.cosign/chain': canonicalPem(Buffer.from(instance.fulcio.intermediateCertificate, 'base64'))
        + canonicalPem(Buffer.from(instance.fulcio.rootCertificate, 'base64')),
      'dev.sigstore.cosign/rfc3161timestamp': JSON.stringify({ SignedRFC3161Timestamp: b64(rfc3161Timestamps[0].signedTimestamp) }),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// verify: what sigstore-js itself says about a bundle
// ---------------------------------------------------------------------------------------------

function verifyCommand(args) {
  const trustedRoot = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(required(args, 'trusted-root'), 'utf8')));
  const bundleJson = JSON.parse(fs.readFileSync(required(args, 'bundle'), 'utf8'));
  const digest = args.digest;
  if (digest !== undefined && !DIGEST_PATTERN.test(digest)) {
    throw new UsageError(`--digest must be sha256:<64 hex>, not ${digest}`);
  }
  try {
    const bundle = bundleFromJSON(bundleJson);
    const isMessage = bundle.content.$case === 'messageSignature';
    if (isMessage && args.artifact === undefined) {
      throw new UsageError('a message-signature bundle needs --artifact (the signed bytes)');
    }
    const artifact = isMessage ? fs.readFileSync(args.artifact) : undefined;
    const policy = {};
    if (args.identity !== undefined) policy.subjectAlternativeName = args.identity;
    if (args.issuer !== undefined) policy.extensions = { issuer: args.issuer };
    const signer = new Verifier(toTrustMaterial(trustedRoot)).verify(toSignedEntity(bundle, artifact), policy);
    if (digest !== undefined) checkSubject(bundle, digest);
    return {
      verified: true,
      identity: signer.identity?.subjectAlternativeName ?? null,
      issuer: signer.identity?.extensions?.issuer ?? null,
    };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return { verified: false, error: `${error.code ? `${error.code}: ` : ''}${error.message}` };
  }
}

function checkSubject(bundle, digest) {
  const hex = digest.slice('sha256:'.length);
  if (bundle.content.$case === 'messageSignature') {
    if (bundle.content.messageSignature.messageDigest.digest.toString('hex') !== hex) {
      throw new Error(`message digest is not ${digest}`);
    }
    return;
  }
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new Error(`payload type is ${envelope.payloadType}, not ${IN_TOTO_PAYLOAD_TYPE}`);
  }
  const statement = JSON.parse(envelope.payload.toString('utf8'));
  if (!(statement.subject ?? []).some((s) => s?.digest?.sha256 === hex)) {
    throw new Error(`no in-toto subject has digest ${digest}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

const IMAGE_OPTIONS = {
  instance: { type: 'string' },
  registry: { type: 'string' },
  repo: { type: 'string' },
  digest: { type: 'string' },
  identity: { type: 'string' },
  issuer: { type: 'string' },
  out: { type: 'string' },
  'no-push': { type: 'boolean' },
  tamper: { type: 'string' },
};

const COMMANDS = {
  'trust-root': { options: { out: { type: 'string' }, tsa: { type: 'boolean' } }, run: trustRootCommand },
  'sign-image': {
    options: { ...IMAGE_OPTIONS, 'message-signature': { type: 'boolean' }, manifest: { type: 'string' }, annotation: { type: 'string', multiple: true } },
    run: signImageCommand,
  },
  'attest-image': {
    options: {
      ...IMAGE_OPTIONS,
      'predicate-type': { type: 'string' },
      predicate: { type: 'string' },
      'predicate-json': { type: 'string' },
      'statement-version': { type: 'string' },
      'subject-name': { type: 'string' },
    },
    run: attestImageCommand,
  },
  'cosign-sign-legacy': {
    options: {
      instance: { type: 'string' },
      digest: { type: 'string' },
      'docker-reference': { type: 'string' },
      identity: { type: 'string' },
      issuer: { type: 'string' },
      'no-tlog': { type: 'boolean' },
    },
    run: cosignSignLegacyCommand,
  },
  'cosign-attest-legacy': {
    options: {
      instance: { type: 'string' },
      digest: { type: 'string' },
      'docker-reference': { type: 'string' },
      identity: { type: 'string' },
      issuer: { type: 'string' },
      'predicate-type': { type: 'string' },
      'predicate-json': { type: 'string' },
    },
    run: cosignAttestLegacyCommand,
  },
  verify: {
    options: {
      'trusted-root': { type: 'string' },
      bundle: { type: 'string' },
      digest: { type: 'string' },
      artifact: { type: 'string' },
      identity: { type: 'string' },
      issuer: { type: 'string' },
    },
    run: verifyCommand,
  },
};

function required(args, name) {
  const value = args[name];
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function finish(result, exitCode) {
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(exitCode));
}

async function main(argv) {
  const [name, ...rest] = argv;
  const command = COMMANDS[name];
  if (!command) {
    throw new UsageError(`usage: signer.mjs ${Object.keys(COMMANDS).join('|')} [options] (see the comment at the top of signer.mjs)`);
  }
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(error.message);
  }
  return command.run(values);
}

main(process.argv.slice(2)).then(
  (result) => finish(result, result && result.verified === false ? 2 : 0),
  (error) => {
    if (!(error instanceof UsageError)) {
      process.stderr.write(`${error.stack ?? error}\n`);
      if (error.cause) process.stderr.write(`caused by: ${error.cause.stack ?? error.cause}\n`);
    }
    finish({ error: error.message + (error.cause ? `: ${error.cause.message}` : '') }, 1);
  },
);
