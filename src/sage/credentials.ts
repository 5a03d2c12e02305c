import type { SageConfig } from '../config/schema';
import { SageAuthenticationError, type SageCredential } from './errors';

/**
 * Names the credential behind a refused sign-in, from the configuration, so the failure says what to fix
 * (which field, which environment variable) without ever containing a secret. A control-level or HTTP
 * refusal is the Web Services sender's (it is checked before any user); anything else is the user's.
 */
export function credentialOf(err: SageAuthenticationError): SageCredential {
  return err.credential ?? (err.level === 'control' || err.level === 'http' ? 'sender' : 'user');
}

export function withCredential(err: SageAuthenticationError, config: SageConfig): SageAuthenticationError {
  if (err.credential !== undefined) return err;
  const credential = credentialOf(err);
  const entity = config.entityId !== undefined ? `, entity "${config.entityId}"` : '';
  const what =
    credential === 'sender'
      ? `the Web Services sender "${config.senderId}" (sender id or sender password)`
      : `the sign-in of web-services user "${config.userId}" in company "${config.companyId}"${entity} (user id, company id or user password)`;
  const hint =
    credential === 'sender'
      ? `Check sage.senderId and the sender password in environment variable ${config.senderPassword.env}, and that the company authorises the sender (Company > Setup > Company > Security > Web Services authorizations).`
      : `Check sage.userId, sage.companyId${entity ? ', sage.entityId' : ''} and the user password in environment variable ${config.userPassword.env}; the user must be an active Web Services user whose password has not expired.`;
  return new SageAuthenticationError(`Sage Intacct refused ${what}: ${err.message}`, {
    level: err.level,
    errors: err.errors,
    httpStatus: err.httpStatus,
    functionName: err.functionName,
    controlId: err.controlId,
    cause: err,
    hint,
    credential,
  });
}
