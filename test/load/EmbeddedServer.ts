/**
 * The embedded server (EmbeddedLayer: dynalite, disk store and upload
 * endpoint, CDN route, in-process processing) listening on 127.0.0.1, for the
 * load test and the benchmarks. Its data dir holds a credentials file with one
 * plain bearer token (`token`) allowed to read and write, for account 10020.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConfigProvider, Context, Effect, Layer } from "effect"
import { AppConfig } from "../../apps/src/config/AppConfig.ts"
import { EmbeddedLayer } from "../../apps/src/embedded/EmbeddedLayer.ts"
import { serve } from "../../apps/src/http/HttpApp.ts"
import * as HttpConfig from "../../apps/src/http/HttpConfig.ts"

export const token = "load-test-token-4f6c1d2e9a8b7c6d"

export interface EmbeddedServerInfo {
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly dataDir: string
}

/** A port free right now (the embedded server must know its public URL before it listens). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      probe.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))))
    })
  })

/** A fresh data dir with the credentials file. */
export const prepareDataDir = (port: number): EmbeddedServerInfo => {
  const dataDir = mkdtempSync(join(tmpdir(), "media-load-"))
  writeFileSync(
    join(dataDir, "credentials.json"),
    JSON.stringify({ credentials: [{ account_id: "10020", token, permissions: ["media:read", "media:write"] }] })
  )
  return { port, url: `http://127.0.0.1:${port}`, dataDir }
}

/** The server layer for `info`; configuration comes from an env record, exactly as `npm start` reads it. */
export const layerEmbeddedServer = (info: EmbeddedServerInfo) =>
  serve(EmbeddedLayer, { port: info.port, host: "127.0.0.1" }).pipe(
    Layer.provide([AppConfig.layer, HttpConfig.layerFromEnv]),
    Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({
      PORT: String(info.port),
      MEDIA_DATA_DIR: info.dataDir,
      MEDIA_AUTH_FILE: join(info.dataDir, "credentials.json"),
      MEDIA_PUBLIC_URL: info.url,
      MEDIA_HTTP_LOG: "false"
    })))
  )

/** The info of the server `layerEphemeral` started. */
export class EmbeddedServer extends Context.Service<EmbeddedServer, EmbeddedServerInfo>()("test/load/EmbeddedServer") {}

/**
 * An embedded server on a free port with a fresh data dir; outputs its info. The data dir is
 * removed when the layer's scope closes (after the server, which the layer built later, stopped).
 */
export const layerEphemeral = Layer.unwrap(Effect.gen(function*() {
  const port = yield* Effect.promise(freePort)
  const info = yield* Effect.acquireRelease(
    Effect.sync(() => prepareDataDir(port)),
    ({ dataDir }) => Effect.sync(() => rmSync(dataDir, { recursive: true, force: true }))
  )
  return Layer.merge(Layer.succeed(EmbeddedServer, info), layerEmbeddedServer(info))
}))
