// Test-only PKI: a CA, a server certificate for localhost/127.0.0.1, and a client
// certificate, all generated in memory for each run.
import forge from "node-forge";

export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second CA that signed nothing we trust. */
  otherCa: string;
}

function keyPair() {
  return forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
}

function certificate(
  subjectCn: string,
  keys: forge.pki.rsa.KeyPair,
  issuer: { cert?: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey },
  extensions: object[],
  serial: string,
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: "commonName", value: subjectCn }]);
  cert.setIssuer(
    issuer.cert ? issuer.cert.subject.attributes : [{ name: "commonName", value: subjectCn }],
  );
  cert.setExtensions(extensions);
  cert.sign(issuer.key, forge.md.sha256.create());
  return cert;
}

function makeCa(name: string, serial: string) {
  const keys = keyPair();
  const cert = certificate(
    name,
    keys,
    { key: keys.privateKey },
    [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true },
    ],
    serial,
  );
  return { keys, cert };
}

export function makeTestPki(): TestPki {
  const ca = makeCa("netapprox test CA", "01");
  const serverKeys = keyPair();
  const server = certificate(
    "localhost",
    serverKeys,
    { cert: ca.cert, key: ca.keys.privateKey },
    [
      { name: "basicConstraints", cA: false },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
    "02",
  );
  const clientKeys = keyPair();
  const client = certificate(
    "netapprox controller",
    clientKeys,
    { cert: ca.cert, key: ca.keys.privateKey },
    [
      { name: "basicConstraints", cA: false },
      { name: "extKeyUsage", clientAuth: true },
    ],
    "03",
  );
  const other = makeCa("some other CA", "04");
  const pem = forge.pki.certificateToPem;
  const keyPem = forge.pki.privateKeyToPem;
  return {
    ca: pem(ca.cert),
    serverCert: pem(server),
    serverKey: keyPem(serverKeys.privateKey),
    clientCert: pem(client),
    clientKey: keyPem(clientKeys.privateKey),
    otherCa: pem(other.cert),
  };
}
