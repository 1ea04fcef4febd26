/**
 * The longest session id accepted: as an argument of the client's calls, and in webhook
 * payloads. BankConnect's session ids are UUIDs of 36 characters; the limit keeps a forged
 * multi-megabyte id out of URLs, spans and what a receiver remembers.
 *
 * @internal
 */
export const maxLength = 256
