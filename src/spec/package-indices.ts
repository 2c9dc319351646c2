import type { PackageIndex } from "./build-spec.js";
import type { DiagnosticList, ProblemSite } from "./diagnostic-list.js";
import { inlineIndexSecretId } from "./index-secret-id.js";
import { pipAcceptsIndexUrl } from "./pip-origins.js";
import { isPlainHttp, splitUrlCredentials } from "./value-rules.js";

/** An index entry as the formats write it (already schema-checked). */
export interface IndexEntry {
  url: string;
  primary?: boolean;
  trust?: boolean;
  secret?: string;
  username?: string;
  password?: string;
  /** microb: id of a build secret holding the user name (or a single token). */
  username_secret?: string;
  /** microb: id of a build secret holding the password. */
  password_secret?: string;
}

/**
 * One package index of any format. Credentials never travel with the index: a `secret` is a
 * BuildKit secret by id; credentials written in the spec (username/password, or `user:pw@` in the
 * URL) are taken out, and the build reads them from the BuildKit secret `pyfront-index-<n>`,
 * which the user passes with --secret. A frontend cannot hand BuildKit a secret of its own, and
 * anything else it hands in (a file, an env value) is part of the build definition.
 */
export function packageIndex(
  entry: IndexEntry,
  position: number,
  site: (field: keyof IndexEntry) => ProblemSite,
  out: DiagnosticList,
): PackageIndex {
  const split = splitUrlCredentials(entry.url);
  const result: PackageIndex = {
    url: split.url,
    primary: entry.primary ?? false,
    trusted: entry.trust ?? false,
  };
  const inlineId = inlineIndexSecretId(position);
  const passIt = `store "user:password" (or a token) in a file and pass --secret id=${inlineId},src=<file>`;
  if (entry.username_secret !== undefined || entry.password_secret !== undefined) {
    secretPartsIndex(entry, split.username !== undefined, result, site, out);
  } else if (entry.secret !== undefined) {
    result.credentialsSecret = entry.secret;
    if (entry.username !== undefined || entry.password !== undefined) {
      out.error(site(entry.username !== undefined ? "username" : "password"), {
        code: "conflicting-credentials",
        message: "an index takes either secret or username/password",
        hint: "keep secret and remove username and password",
      });
    }
    if (split.username !== undefined) {
      out.error(site("url"), {
        code: "credentials-in-url",
        message: "the URL holds credentials and the index has a secret",
        hint: "remove user:password@ from the URL; the secret supplies them",
      });
    }
  } else if (entry.username !== undefined || split.username !== undefined) {
    if (entry.username !== undefined && split.username !== undefined) {
      out.error(site("url"), {
        code: "conflicting-credentials",
        message: "credentials are written both in the URL and as username",
        hint: "keep one of them, or better neither: use a secret",
      });
    }
    result.inlineCredentials = true;
    out.warning(site(entry.username !== undefined ? "username" : "url"), {
      code: "inline-credentials",
      message: `credentials written in the spec file are not used; the build reads them from the build secret ${JSON.stringify(inlineId)}`,
      hint: `${passIt}, and remove them from the spec`,
    });
  } else if (entry.password !== undefined) {
    out.warning(site("password"), {
      code: "password-without-username",
      message: "password is ignored without username",
    });
  }
  // pip reads plain http from loopback hosts without being told (its SECURE_ORIGINS), so only
  // other hosts are warned about.
  if (isPlainHttp(result.url) && !result.trusted && !pipAcceptsIndexUrl(result.url, [])) {
    out.warning(site("url"), {
      code: "untrusted-http-index",
      message:
        "pip ignores a plain http index whose host is not trusted (only localhost, 127.0.0.0/8 and ::1 need no trust)",
      hint: "use https, or set trust = true",
    });
  }
  return result;
}

/**
 * microb's `username_secret` / `password_secret`: each part of the credentials in a build secret
 * of its own, taking precedence over `username` / `password` (whose values are then not used). A
 * password without a user name is ignored, as microb does; a part left in the spec file while the
 * other comes from a secret is refused, since it would have to travel in the build definition.
 */
function secretPartsIndex(
  entry: IndexEntry,
  urlHasCredentials: boolean,
  result: PackageIndex,
  site: (field: keyof IndexEntry) => ProblemSite,
  out: DiagnosticList,
): void {
  if (urlHasCredentials) {
    out.error(site("url"), {
      code: "credentials-in-url",
      message: "the URL holds credentials and the index names secrets for them",
      hint: "remove user:password@ from the URL; the secrets supply them",
    });
  }
  if (entry.username_secret === undefined) {
    if (entry.username !== undefined) {
      out.error(site("username"), {
        code: "credentials-in-spec",
        message: "the user name is written in the spec file while the password comes from password_secret",
        hint: "store the user name in a build secret too and name it in username_secret",
      });
    } else {
      out.warning(site("password_secret"), {
        code: "password-without-username",
        message: "password_secret is ignored without username_secret, as microb does",
        hint: "add username_secret, or remove password_secret",
      });
    }
    return;
  }
  result.usernameSecret = entry.username_secret;
  if (entry.password_secret !== undefined) result.passwordSecret = entry.password_secret;
  if (entry.username !== undefined) {
    out.warning(site("username"), {
      code: "superseded-credentials",
      message: "not used: username_secret takes precedence, as in microb",
      hint: "remove username from the spec file",
    });
  }
  if (entry.password !== undefined) {
    if (entry.password_secret !== undefined) {
      out.warning(site("password"), {
        code: "superseded-credentials",
        message: "not used: password_secret takes precedence, as in microb",
        hint: "remove password from the spec file",
      });
    } else {
      out.error(site("password"), {
        code: "credentials-in-spec",
        message: "the password is written in the spec file while the user name comes from username_secret",
        hint: "store the password in a build secret and name it in password_secret",
      });
    }
  }
}
