/**
 * Types for the ts-mls 1.6.4 modules we import one by one.
 *
 * Why not `import … from 'ts-mls'`: its index re-exports `nobleCryptoProvider`, whose module imports
 * `@noble/hashes` at load time; that package is not installed (ts-mls does not declare it), so loading the
 * index throws ERR_MODULE_NOT_FOUND in Node and fails to bundle. ts-mls's `exports` map publishes every
 * module as `ts-mls/<path>.js`; Node and esbuild resolve those, while TypeScript's `node10` resolution
 * ignores `exports`, hence these declarations pointing at the same files under `dist/src`.
 *
 * Keep this list to the modules really used. Everything here except the few `@public` names re-exported by
 * ts-mls's index is library-internal: the pinned version is exercised by `test/mls-vectors.test.ts`.
 */
declare module 'ts-mls/authenticationService.js' {
  export * from 'ts-mls/dist/src/authenticationService';
}
declare module 'ts-mls/authenticatedContent.js' {
  export * from 'ts-mls/dist/src/authenticatedContent';
}
declare module 'ts-mls/clientConfig.js' {
  export * from 'ts-mls/dist/src/clientConfig';
}
declare module 'ts-mls/clientState.js' {
  export * from 'ts-mls/dist/src/clientState';
}
declare module 'ts-mls/codec/tlsEncoder.js' {
  export * from 'ts-mls/dist/src/codec/tlsEncoder';
}
declare module 'ts-mls/codec/variableLength.js' {
  export * from 'ts-mls/dist/src/codec/variableLength';
}
declare module 'ts-mls/commit.js' {
  export * from 'ts-mls/dist/src/commit';
}
declare module 'ts-mls/createCommit.js' {
  export * from 'ts-mls/dist/src/createCommit';
}
declare module 'ts-mls/createMessage.js' {
  export * from 'ts-mls/dist/src/createMessage';
}
declare module 'ts-mls/credential.js' {
  export * from 'ts-mls/dist/src/credential';
}
declare module 'ts-mls/crypto/ciphersuite.js' {
  export * from 'ts-mls/dist/src/crypto/ciphersuite';
}
declare module 'ts-mls/crypto/hash.js' {
  export * from 'ts-mls/dist/src/crypto/hash';
}
declare module 'ts-mls/crypto/hpke.js' {
  export * from 'ts-mls/dist/src/crypto/hpke';
}
declare module 'ts-mls/crypto/implementation/default/provider.js' {
  export * from 'ts-mls/dist/src/crypto/implementation/default/provider';
}
declare module 'ts-mls/crypto/kdf.js' {
  export * from 'ts-mls/dist/src/crypto/kdf';
}
declare module 'ts-mls/crypto/provider.js' {
  export * from 'ts-mls/dist/src/crypto/provider';
}
declare module 'ts-mls/crypto/signature.js' {
  export * from 'ts-mls/dist/src/crypto/signature';
}
declare module 'ts-mls/defaultCapabilities.js' {
  export * from 'ts-mls/dist/src/defaultCapabilities';
}
declare module 'ts-mls/extension.js' {
  export * from 'ts-mls/dist/src/extension';
}
declare module 'ts-mls/externalSender.js' {
  export * from 'ts-mls/dist/src/externalSender';
}
declare module 'ts-mls/framedContent.js' {
  export * from 'ts-mls/dist/src/framedContent';
}
declare module 'ts-mls/groupContext.js' {
  export * from 'ts-mls/dist/src/groupContext';
}
declare module 'ts-mls/groupInfo.js' {
  export * from 'ts-mls/dist/src/groupInfo';
}
declare module 'ts-mls/groupSecrets.js' {
  export * from 'ts-mls/dist/src/groupSecrets';
}
declare module 'ts-mls/incomingMessageAction.js' {
  export * from 'ts-mls/dist/src/incomingMessageAction';
}
declare module 'ts-mls/keyPackage.js' {
  export * from 'ts-mls/dist/src/keyPackage';
}
declare module 'ts-mls/keyRetentionConfig.js' {
  export * from 'ts-mls/dist/src/keyRetentionConfig';
}
declare module 'ts-mls/keySchedule.js' {
  export * from 'ts-mls/dist/src/keySchedule';
}
declare module 'ts-mls/leafNode.js' {
  export * from 'ts-mls/dist/src/leafNode';
}
declare module 'ts-mls/lifetime.js' {
  export * from 'ts-mls/dist/src/lifetime';
}
declare module 'ts-mls/message.js' {
  export * from 'ts-mls/dist/src/message';
}
declare module 'ts-mls/messageProtection.js' {
  export * from 'ts-mls/dist/src/messageProtection';
}
declare module 'ts-mls/messageProtectionPublic.js' {
  export * from 'ts-mls/dist/src/messageProtectionPublic';
}
declare module 'ts-mls/mlsError.js' {
  export * from 'ts-mls/dist/src/mlsError';
}
declare module 'ts-mls/paddingConfig.js' {
  export * from 'ts-mls/dist/src/paddingConfig';
}
declare module 'ts-mls/parentHash.js' {
  export * from 'ts-mls/dist/src/parentHash';
}
declare module 'ts-mls/pathSecrets.js' {
  export * from 'ts-mls/dist/src/pathSecrets';
}
declare module 'ts-mls/presharedkey.js' {
  export * from 'ts-mls/dist/src/presharedkey';
}
declare module 'ts-mls/privateKeyPath.js' {
  export * from 'ts-mls/dist/src/privateKeyPath';
}
declare module 'ts-mls/privateMessage.js' {
  export * from 'ts-mls/dist/src/privateMessage';
}
declare module 'ts-mls/processMessages.js' {
  export * from 'ts-mls/dist/src/processMessages';
}
declare module 'ts-mls/proposal.js' {
  export * from 'ts-mls/dist/src/proposal';
}
declare module 'ts-mls/pskIndex.js' {
  export * from 'ts-mls/dist/src/pskIndex';
}
declare module 'ts-mls/publicMessage.js' {
  export * from 'ts-mls/dist/src/publicMessage';
}
declare module 'ts-mls/ratchetTree.js' {
  export * from 'ts-mls/dist/src/ratchetTree';
}
declare module 'ts-mls/secretTree.js' {
  export * from 'ts-mls/dist/src/secretTree';
}
declare module 'ts-mls/sender.js' {
  export * from 'ts-mls/dist/src/sender';
}
declare module 'ts-mls/transcriptHash.js' {
  export * from 'ts-mls/dist/src/transcriptHash';
}
declare module 'ts-mls/treeHash.js' {
  export * from 'ts-mls/dist/src/treeHash';
}
declare module 'ts-mls/treemath.js' {
  export * from 'ts-mls/dist/src/treemath';
}
declare module 'ts-mls/updatePath.js' {
  export * from 'ts-mls/dist/src/updatePath';
}
declare module 'ts-mls/welcome.js' {
  export * from 'ts-mls/dist/src/welcome';
}
