/**
 * A `mailto:` link (RFC 6068) that opens the rep's mail client with the follow-up e-mail filled in.
 * Every part is percent-encoded as UTF-8 (`encodeURIComponent`, so a space is %20, never "+", which
 * mail clients would show literally), and line breaks are sent as CRLF (%0D%0A) as the RFC asks.
 */

export interface MailtoParts {
  to?: readonly string[];
  subject: string;
  body: string;
}

export function mailtoUrl({ to = [], subject, body }: MailtoParts): string {
  const recipients = to.map((address) => encodeURIComponent(address).replaceAll("%40", "@")).join(",");
  const crlf = (text: string) => text.replace(/\r\n|\r|\n/g, "\r\n");
  const query = [`subject=${encodeURIComponent(subject)}`, `body=${encodeURIComponent(crlf(body))}`];
  return `mailto:${recipients}?${query.join("&")}`;
}
