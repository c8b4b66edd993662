/**
 * The address of the client presenting credentials, for fair admission of
 * slow secret checks (HashCheckGate). The Authenticator port takes only the
 * header, so the HTTP edge provides this around `authenticate`; unset, every
 * client counts as one source and admission is first come first served.
 */
import { Context } from "effect"

export const ClientAddress = Context.Reference<string>("adapters/auth/ClientAddress", { defaultValue: () => "" })
