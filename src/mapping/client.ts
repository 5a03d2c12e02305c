import type { SageCustomer } from '../sage/objects';
import { buildPayload, isActive, src, val } from './fields';
import { matchValueOf, sageRefOf } from './keys';
import type { ClientPayload, MapContext, MapResult } from './types';

/**
 * CUSTOMER → Assignar client (`/clients/`). NAME is both `name` and `company_name` (both required);
 * contact details come from the customer's display contact. Empty contact fields are sent as '' so a
 * value removed in Sage Intacct is removed in Assignar too; an email that is present must be valid.
 */
export function mapClient(record: SageCustomer, ctx: MapContext): MapResult<ClientPayload> {
  const hint = "enter the customer's name";
  return buildPayload<ClientPayload>(
    sageRefOf('client', record),
    record,
    ctx,
    [
      src('name', 'NAME', { hint }),
      src('company_name', 'NAME', { hint }),
      src('email', 'DISPLAYCONTACT.EMAIL1'),
      src('office_phone', 'DISPLAYCONTACT.PHONE1'),
      src('mobile', 'DISPLAYCONTACT.CELLPHONE'),
      src('address_1', 'DISPLAYCONTACT.MAILADDRESS.ADDRESS1'),
      src('address_2', 'DISPLAYCONTACT.MAILADDRESS.ADDRESS2'),
      src('city', 'DISPLAYCONTACT.MAILADDRESS.CITY'),
      src('state', 'DISPLAYCONTACT.MAILADDRESS.STATE'),
      src('postcode', 'DISPLAYCONTACT.MAILADDRESS.ZIP'),
      src('external_id', 'CUSTOMERID'),
      val('integration_id', record.RECORDNO),
      val('active', isActive(record)),
    ],
    matchValueOf('client', record),
  );
}
