// Types for the parts of sm-crypto (the SM2/SM3 test oracle) that tests and benchmarks use.
declare module 'sm-crypto' {
  interface SignOptions { hash?: boolean, der?: boolean, publicKey?: string, userId?: string }
  const smCrypto: {
    sm2: {
      generateKeyPairHex: () => { privateKey: string, publicKey: string }
      getPublicKeyFromPrivateKey: (privateKey: string) => string
      doSignature: (msg: string | number[], privateKey: string, options?: SignOptions) => string
      doVerifySignature: (msg: string | number[], signature: string, publicKey: string, options?: SignOptions) => boolean
    }
    sm3: (msg: string | number[]) => string
  }
  export default smCrypto
}
