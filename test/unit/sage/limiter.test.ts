import { companyLimiter, resetCompanyLimiters } from '../../../src/sage';

describe('company limiter registry', () => {
  beforeEach(() => resetCompanyLimiters());

  it('shares one semaphore per gateway host and company id', () => {
    const a = companyLimiter('https://api.intacct.com/ia/xml/xmlgw.phtml', 'ACME', 2);
    const b = companyLimiter('https://API.intacct.com/other/path', 'ACME', 2);
    const c = companyLimiter('https://api.intacct.com/ia/xml/xmlgw.phtml', 'OTHER', 2);
    const d = companyLimiter('http://127.0.0.1:7431/ia/xml/xmlgw.phtml', 'ACME', 2);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).not.toBe(d);
  });

  it('the strictest limit wins', () => {
    companyLimiter('https://h', 'X', 4);
    expect(companyLimiter('https://h', 'X', 2).limit).toBe(2);
    expect(companyLimiter('https://h', 'X', 5).limit).toBe(2);
  });
});
