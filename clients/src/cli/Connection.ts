/**
 * Where the API is and which credentials to use, from (first found wins) the
 * `--url`/`--auth` flags, the `MEDIA_URL`/`MEDIA_AUTH` environment variables,
 * or a profile file (`--profile`, `MEDIA_PROFILE`, default
 * `$XDG_CONFIG_HOME/media/profile.json` or `~/.config/media/profile.json`).
 */
import { Effect, Option } from "effect"
import { Flag } from "effect/cli"
import { readFile } from "node:fs/promises"
import { homedir } from "node:os"
import { join } from "node:path"
import type { MediaAuth } from "../ClientOptions.ts"
import { MediaClient } from "../MediaClient.ts"
import { CliFailure } from "./CliFailure.ts"

/** The flags every command that calls the API takes. */
export const connectionFlags = {
  url: Flag.String("url").pipe(
    Flag.withDescription("The API's origin, e.g. http://localhost:8080 (else $MEDIA_URL, else the profile)"),
    Flag.optional
  ),
  auth: Flag.String("auth").pipe(
    Flag.withDescription("api_id:password or 'Bearer <token>' (else $MEDIA_AUTH, else the profile)"),
    Flag.optional
  ),
  profile: Flag.String("profile").pipe(
    Flag.withDescription("Profile file (else $MEDIA_PROFILE, else ~/.config/media/profile.json)"),
    Flag.optional
  )
}

export interface ConnectionInput {
  readonly url: Option.Option<string>
  readonly auth: Option.Option<string>
  readonly profile: Option.Option<string>
}

/** The default profile path: `$XDG_CONFIG_HOME/media/profile.json`, else `~/.config/media/profile.json`. */
export const defaultProfilePath = (env: NodeJS.ProcessEnv = process.env) =>
  join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "media", "profile.json")

/** `api_id:password` or `Bearer <token>`. */
export const parseAuth = (text: string): MediaAuth | undefined => {
  const bearer = /^bearer\s+(\S+)$/i.exec(text.trim())
  if (bearer !== null) return { token: bearer[1]! }
  const colon = text.indexOf(":")
  if (colon <= 0 || colon === text.length - 1) return undefined
  return { apiId: text.slice(0, colon), password: text.slice(colon + 1) }
}

interface Profile {
  readonly url?: string
  readonly auth?: string
}

const readProfile = (path: string, explicit: boolean) =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (cause) => cause
  }).pipe(
    Effect.matchEffect({
      onFailure: (cause) =>
        explicit || (cause as NodeJS.ErrnoException).code !== "ENOENT"
          ? Effect.fail(CliFailure.usage(`cannot read the profile ${path}: ${(cause as Error).message}`))
          : Effect.succeed<Profile>({}),
      onSuccess: (text) =>
        Effect.try({
          try: () => {
            const json = JSON.parse(text) as Record<string, unknown>
            if (typeof json !== "object" || json === null) throw new Error("not an object")
            return {
              ...(typeof json.url === "string" ? { url: json.url } : {}),
              ...(typeof json.auth === "string" ? { auth: json.auth } : {})
            } satisfies Profile
          },
          catch: () => CliFailure.usage(`the profile ${path} is not a JSON object like {"url": "…", "auth": "api_id:password"}`)
        })
    })
  )

const nonEmpty = (value: string | undefined) => (value === undefined || value.trim() === "" ? undefined : value.trim())

/** Resolves flags, environment and profile into a client; a usage failure says what is missing and where to put it. */
export const connect = (input: ConnectionInput, env: NodeJS.ProcessEnv = process.env) =>
  Effect.gen(function*() {
    const flagUrl = Option.getOrUndefined(input.url)
    const flagAuth = Option.getOrUndefined(input.auth)
    const profilePath = Option.getOrUndefined(input.profile) ?? nonEmpty(env.MEDIA_PROFILE)
    const needProfile = (flagUrl ?? nonEmpty(env.MEDIA_URL)) === undefined || (flagAuth ?? nonEmpty(env.MEDIA_AUTH)) === undefined
    const profile = needProfile ? yield* readProfile(profilePath ?? defaultProfilePath(env), profilePath !== undefined) : {}
    const url = flagUrl ?? nonEmpty(env.MEDIA_URL) ?? profile.url
    const authText = flagAuth ?? nonEmpty(env.MEDIA_AUTH) ?? profile.auth
    if (url === undefined) return yield* CliFailure.usage("no API URL: pass --url, set MEDIA_URL, or write a profile (see media --help)")
    if (!/^https?:\/\/[^/]/.test(url)) return yield* CliFailure.usage(`the API URL must start with http:// or https://, got '${url}'`)
    if (authText === undefined) return yield* CliFailure.usage("no credentials: pass --auth, set MEDIA_AUTH, or write a profile (see media --help)")
    const auth = parseAuth(authText)
    if (auth === undefined) return yield* CliFailure.usage("credentials must be api_id:password or 'Bearer <token>'")
    return new MediaClient({ baseUrl: url, auth })
  })
