/**
 * Deterministic seed data for the Sage Intacct sandbox: `demo` (tens of each object) and `large`
 * (10,000 employees and friends), with the mess a real tenant has: inactive records, empty WHENMODIFIED,
 * duplicate emails, employees without email, XML metacharacters (& < > ' " ]]>) and non-Latin names,
 * projects of inactive customers, RECORDNO gaps, an ID with leading zeros, items in no GL group.
 *
 * Pure: the same scale always yields the same records (a seeded PRNG per object, fixed dates). Every record
 * carries every field of its object (see catalog.ts) as a string, '' when empty; STATUS is
 * `active`/`inactive`; WHENCREATED/WHENMODIFIED are stored ISO-8601 UTC (`2024-03-05T14:22:10.000Z`).
 */
import { OBJECTS } from './catalog';
import { Prng } from '../prng';
import { formatDateUtc, isoSeconds } from './time';

export type SeedScale = 'demo' | 'large';
export type SeedRecords = Record<string, Array<Record<string, string>>>;

const SIZES = {
  demo: { customers: 25, projects: 40, labor: 20, equipment: 20, materials: 4, ungrouped: 2, employees: 60, tasks: 80, costTypes: 12 },
  large: { customers: 1000, projects: 2000, labor: 500, equipment: 1500, materials: 200, ungrouped: 50, employees: 10000, tasks: 6000, costTypes: 100 },
} as const;

const FIRST = [
  'James', 'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'William', 'Sophia', 'Lucas', 'Mia', 'Jack', 'Charlotte', 'Henry',
  'Amelia', 'Oliver', 'Isla', 'Thomas', 'Grace', 'Samuel', 'Chloe', 'Daniel', 'Ruby', 'Matthew', 'Maria', 'José', 'Priya',
  'Wei', 'Ahmed', 'Fatima', 'Kenji', 'Søren', 'Ingrid', 'Renée', 'François', 'Björn', 'Mateo', 'Siobhán', 'Dmitri', 'Aisha',
  'Carlos', 'Hannah', 'Tyler', 'Brandon', 'Ashley', 'Marcus', 'Keisha', 'Luis', 'Ana', 'Tomasz', 'Nguyen',
];
const LAST = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez',
  'Lopez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Thompson', 'White', 'Harris',
  'Clark', 'Lewis', 'Walker', 'Young', 'Allen', "O'Brien", 'Müller', 'Kowalski', 'García', 'Østergaard', "D'Angelo",
  'MacDonald', 'Papadopoulos', 'Nakamura', 'Okafor', 'Schmidt', 'Novak', 'Kim', 'Patel', 'Nguyen', 'Rossi', 'Dubois',
];
const TITLES = [
  'Carpenter', 'Electrician', 'Plumber', 'Laborer', 'Foreman', 'Site Supervisor', 'Project Manager', 'Estimator',
  'Equipment Operator', 'Welder', 'Concrete Finisher', 'Apprentice Carpenter', 'Safety Officer', 'Crane Operator', 'Ironworker',
];
const CITIES: ReadonlyArray<readonly [string, string, string]> = [
  ['Chicago', 'IL', '606'], ['Dallas', 'TX', '752'], ['Houston', 'TX', '770'], ['Austin', 'TX', '787'],
  ['Milwaukee', 'WI', '532'], ['Denver', 'CO', '802'], ['Kansas City', 'MO', '641'], ['Minneapolis', 'MN', '554'],
];
const STREETS = ['Main St', 'Oak Ave', 'Lake Shore Dr', 'Industrial Pkwy', 'Elm St', 'Commerce Blvd', 'Prairie Rd', 'River Rd'];
const CUSTOMER_A = ['Acme', 'Summit', 'Riverside', 'Lakeshore', 'Prairie', 'Northgate', 'Ironwood', 'Bluestone', 'Granite', 'Cedar', 'Harbor', 'Midwest', 'Union', 'Pioneer', 'Keystone', 'Redline'];
const CUSTOMER_B = ['Developments', 'Builders', 'Properties', 'Holdings', 'Construction', 'Realty', 'Group', 'Partners', 'Homes', 'Infrastructure'];
const SITES = ['Riverside', 'Westfield', 'Harbor Point', 'Oak Park', 'Union Station', 'Lakeview', 'Maple Grove', 'Cedar Hill', 'North Loop', 'Elm Street', 'Prairie View', 'Granite Falls'];
const KINDS = ['Medical Center Fit-out', 'Office Tower', 'School Extension', 'Warehouse', 'Parking Structure', 'Bridge Retrofit', 'Apartments', 'Retail Plaza', 'Water Treatment Upgrade', 'Library Renovation', 'Fire Station', 'Distribution Center'];
const PHASES: ReadonlyArray<readonly [string, string]> = [
  ['01-SITE', 'Site Preparation'], ['02-DEMO', 'Demolition'], ['03-FOUND', 'Foundations'], ['04-FRAME', 'Framing'],
  ['05-ROOF', 'Roofing'], ['06-MEP', 'Mechanical, Electrical & Plumbing'], ['07-FINISH', 'Finishes'], ['08-CLOSE', 'Close-out'],
  ['09-PUNCH', 'Punch List'], ['10-WARR', 'Warranty'],
];
const EQUIPMENT = [
  'Excavator 20t', 'Mini Excavator 5t', 'Skid Steer Loader', 'Scissor Lift 26ft', 'Boom Lift 60ft', 'Telehandler', 'Dump Truck',
  'Concrete Pump', 'Plate Compactor', 'Generator 100kVA', 'Mobile Crane 50t', 'Backhoe Loader', 'Forklift', 'Light Tower', 'Water Cart',
];
const MATERIALS = ['Concrete 4000psi', 'Rebar #5', 'Lumber 2x4 SPF', 'Drywall 1/2in', 'Copper Pipe 3/4in', 'Electrical Wire 12AWG', 'Gravel Base', 'Roofing Shingles'];
const COST_TYPES: ReadonlyArray<readonly [string, string, string]> = [
  ['LAB', 'Labor', 'Labor'], ['LAB-OT', 'Labor Overtime', 'Labor'], ['LAB-DT', 'Labor Double Time', 'Labor'],
  ['EQP', 'Equipment', 'Equipment'], ['EQP-OP', 'Equipment with Operator', 'Equipment'], ['MAT', 'Materials', 'Material'],
  ['SUB', 'Subcontract', 'Subcontract'], ['RENT', 'Rentals', 'Equipment'], ['FUEL', 'Fuel', 'Material'],
  ['TRAVEL', 'Travel', 'Other'], ['PERMIT', 'Permits & Fees', 'Other'], ['OTH', 'Other', 'Other'],
];

const DAY = 86_400_000;
const CREATED_FROM = Date.UTC(2019, 0, 1);
const CREATED_TO = Date.UTC(2025, 2, 31);
const MODIFIED_TO = Date.UTC(2025, 5, 30, 23, 59, 59);

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** RECORDNOs with a gap every 17 records, as a tenant that has deleted things has. */
const recordNo = (base: number, i: number): string => String(base + i + Math.floor(i / 17));

/** Every field of the object, '' by default, so all records of an object have the same shape. */
const templates = new Map<string, Record<string, string>>();
function blank(object: string): Record<string, string> {
  let template = templates.get(object);
  if (!template) {
    template = Object.fromEntries(OBJECTS[object].fields.map((field) => [field.name, '']));
    templates.set(object, template);
  }
  return { ...template };
}

function stamps(rng: Prng, rec: Record<string, string>, emptyModifiedRate = 0.03): void {
  const created = rng.int(CREATED_FROM / 1000, CREATED_TO / 1000) * 1000;
  rec.WHENCREATED = isoSeconds(created);
  // Most records were touched recently; some not for years (clean-up hints); a few have no WHENMODIFIED.
  const modified = rng.chance(0.7) ? rng.int(Math.max(created, Date.UTC(2024, 6, 1)) / 1000, MODIFIED_TO / 1000) * 1000 : rng.int(created / 1000, MODIFIED_TO / 1000) * 1000;
  rec.WHENMODIFIED = rng.chance(emptyModifiedRate) ? '' : isoSeconds(modified);
}

const asciiCache = new Map<string, string>();
function ascii(s: string): string {
  let out = asciiCache.get(s);
  if (out === undefined) {
    out = toAscii(s);
    asciiCache.set(s, out);
  }
  return out;
}

function toAscii(s: string): string {
  return s
    .replace(/[Łł]/g, (c) => (c === 'Ł' ? 'L' : 'l'))
    .replace(/[Øø]/g, (c) => (c === 'Ø' ? 'O' : 'o'))
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

function phone(rng: Prng): string {
  return `(${rng.pick(['312', '773', '214', '713', '512', '414', '303'])}) 555-${pad(rng.int(100, 9999), 4)}`;
}

function customers(scale: SeedScale): Array<Record<string, string>> {
  const rng = new Prng(scale === 'demo' ? 0xc0ffee01 : 0xc0ffee11);
  const hostile: Record<number, string> = {
    2: 'Smith & Sons <Civil> Pty',
    5: `O'Neil "Quoted" Holdings`,
    7: 'Bracket ]]> Builders',
    9: 'Ωmega Cranes & Rigging',
    11: '山田建設 (Yamada Construction)',
    13: 'Zoë & Łukasz Renovations',
  };
  const out: Array<Record<string, string>> = [];
  for (let i = 0; i < SIZES[scale].customers; i++) {
    const rec = blank('CUSTOMER');
    rec.RECORDNO = recordNo(1001, i);
    rec.CUSTOMERID = `C-${pad(i + 1, 4)}`;
    const name = hostile[i] ?? `${rng.pick(CUSTOMER_A)} ${rng.pick(CUSTOMER_B)}${scale === 'large' ? ` ${i + 1}` : ''}`;
    rec.NAME = name;
    rec.STATUS = i === 4 || i === 17 || (i > 20 && rng.chance(0.07)) ? 'inactive' : 'active';
    const [city, state, zip] = rng.pick(CITIES);
    rec['DISPLAYCONTACT.EMAIL1'] = rng.chance(0.9) ? `accounts@${ascii(name).slice(0, 18) || `customer${i + 1}`}.example.com` : '';
    rec['DISPLAYCONTACT.PHONE1'] = phone(rng);
    rec['DISPLAYCONTACT.CELLPHONE'] = rng.chance(0.4) ? phone(rng) : '';
    rec['DISPLAYCONTACT.MAILADDRESS.ADDRESS1'] = `${rng.int(1, 9999)} ${rng.pick(STREETS)}`;
    rec['DISPLAYCONTACT.MAILADDRESS.ADDRESS2'] = rng.chance(0.2) ? `Suite ${rng.int(100, 900)}` : '';
    rec['DISPLAYCONTACT.MAILADDRESS.CITY'] = city;
    rec['DISPLAYCONTACT.MAILADDRESS.STATE'] = state;
    rec['DISPLAYCONTACT.MAILADDRESS.ZIP'] = `${zip}${pad(rng.int(1, 99), 2)}`;
    stamps(rng, rec);
    out.push(rec);
  }
  return out;
}

function projects(scale: SeedScale, custs: Array<Record<string, string>>): Array<Record<string, string>> {
  const rng = new Prng(scale === 'demo' ? 0xc0ffee02 : 0xc0ffee12);
  const active = custs.filter((c) => c.STATUS === 'active');
  const inactive = custs.filter((c) => c.STATUS === 'inactive');
  const out: Array<Record<string, string>> = [];
  for (let i = 0; i < SIZES[scale].projects; i++) {
    const rec = blank('PROJECT');
    rec.RECORDNO = recordNo(2001, i);
    rec.PROJECTID = `P-${pad(i + 1, 4)}`;
    rec.NAME = i === 3 ? `Stage 2 – Tower "A" & <Podium>` : i === 8 ? 'Łódź Street ]]> Lofts' : `${rng.pick(SITES)} ${rng.pick(KINDS)}${scale === 'large' ? ` ${i + 1}` : ''}`;
    // A few projects belong to an inactive customer, a few to none (internal overhead).
    const customer = i === 6 || (i > 10 && rng.chance(0.03)) ? rng.pick(inactive) : i === 10 || rng.chance(0.04) ? undefined : rng.pick(active);
    rec.CUSTOMERID = customer?.CUSTOMERID ?? '';
    rec.CUSTOMERNAME = customer?.NAME ?? '';
    rec.PARENTID = i > 5 && rng.chance(0.05) ? out[rng.int(0, i - 1)].PROJECTID : '';
    const state = rng.next();
    rec.PROJECTSTATUS = state < 0.6 ? 'In Progress' : state < 0.75 ? 'Not Started' : state < 0.92 ? 'Completed' : 'On Hold';
    rec.STATUS = i === 5 || (rec.PROJECTSTATUS === 'Completed' && rng.chance(0.6)) || rng.chance(0.03) ? 'inactive' : 'active';
    const begin = Date.UTC(2023, 0, 1) + rng.int(0, 900) * DAY;
    rec.BEGINDATE = formatDateUtc(begin);
    rec.ENDDATE = rng.chance(0.85) ? formatDateUtc(begin + rng.int(60, 720) * DAY) : '';
    stamps(rng, rec);
    out.push(rec);
  }
  return out;
}

function items(scale: SeedScale): Array<Record<string, string>> {
  const rng = new Prng(scale === 'demo' ? 0xc0ffee03 : 0xc0ffee13);
  const size = SIZES[scale];
  const out: Array<Record<string, string>> = [];
  let n = 0;
  const push = (id: string, name: string, type: string, group: string, description: string): void => {
    const rec = blank('ITEM');
    rec.RECORDNO = recordNo(3001, n++);
    rec.ITEMID = id;
    rec.NAME = name;
    rec.STATUS = n % 13 === 0 || rng.chance(0.04) ? 'inactive' : 'active';
    rec.ITEMTYPE = type;
    rec.GLGROUP = group;
    rec.EXTENDED_DESCRIPTION = description;
    stamps(rng, rec);
    out.push(rec);
  };
  for (let i = 0; i < size.labor; i++) {
    const title = TITLES[i % TITLES.length];
    const grade = Math.floor(i / TITLES.length);
    const name = i === 3 ? 'Carpenter & Joiner <Level 2>' : grade === 0 ? title : `${title} Grade ${grade + 1}`;
    push(`LAB-${pad(i + 1, 3)}`, name, 'Non-Inventory', 'Labor', i % 4 === 0 ? `${name} — hourly labor` : '');
  }
  for (let i = 0; i < size.equipment; i++) {
    const base = EQUIPMENT[i % EQUIPMENT.length];
    const name = i === 4 ? 'Ωmega Crane 50t "Big Lift" ]]>' : `${base} #${Math.floor(i / EQUIPMENT.length) + 1}`;
    push(`EQ-${pad(i + 1, 4)}`, name, 'Non-Inventory', 'Equipment', i % 5 === 0 ? `Unit ${rng.token(6).toUpperCase()}` : '');
  }
  for (let i = 0; i < size.materials; i++) {
    push(`MAT-${pad(i + 1, 3)}`, `${MATERIALS[i % MATERIALS.length]}${i >= MATERIALS.length ? ` (${Math.floor(i / MATERIALS.length) + 1})` : ''}`, 'Inventory', 'Materials', '');
  }
  for (let i = 0; i < size.ungrouped; i++) {
    push(`MISC-${pad(i + 1, 3)}`, i === 0 ? 'Miscellaneous & Sundries' : `Sundry item ${i + 1}`, 'Non-Inventory', '', '');
  }
  return out;
}

function glGroups(): Array<Record<string, string>> {
  return [
    ['1', 'Labor', 'Labor items: hours worked by people'],
    ['2', 'Equipment', 'Equipment items: plant and machinery hours'],
    ['3', 'Materials', 'Stocked and purchased materials'],
  ].map(([no, name, description], i) => {
    const rec = blank('ITEMGLGROUP');
    rec.RECORDNO = no;
    rec.NAME = name;
    rec.DESCRIPTION = description;
    rec.WHENCREATED = isoSeconds(Date.UTC(2019, 0, 2, 9, i, 0));
    rec.WHENMODIFIED = rec.WHENCREATED;
    return rec;
  });
}

function employees(scale: SeedScale): Array<Record<string, string>> {
  const rng = new Prng(scale === 'demo' ? 0xc0ffee04 : 0xc0ffee14);
  const out: Array<Record<string, string>> = [];
  const fixed: Record<number, [string, string, string?]> = {
    3: ['Zoë', "O'Brien"],
    4: ['Łukasz', 'Kowalski'],
    5: ['太郎', '山田'],
    6: ['Ωmega', 'Nakamura'],
    7: ['"Big" Jim', "O'Neil & <Co>", 'Foreman ]]> Lead'],
  };
  const width = scale === 'demo' ? 4 : 5;
  for (let i = 0; i < SIZES[scale].employees; i++) {
    const rec = blank('EMPLOYEE');
    rec.RECORDNO = recordNo(5001, i);
    // One tenant habit: purely numeric IDs with leading zeros for some employees.
    rec.EMPLOYEEID = i % 250 === 12 ? pad(i, 5) : `E${pad(1001 + i, width)}`;
    const [first, last, title] = fixed[i] ?? [rng.pick(FIRST), rng.pick(LAST)];
    rec['CONTACT.FIRSTNAME'] = first;
    rec['CONTACT.LASTNAME'] = last;
    rec.TITLE = title ?? rng.pick(TITLES);
    rec.STATUS = i === 8 || i === 9 || (i > 12 && rng.chance(0.1)) ? 'inactive' : 'active';
    const type = rng.next();
    rec.EMPLOYEETYPE = type < 0.7 ? 'Full Time' : type < 0.85 ? 'Part Time' : type < 0.95 ? 'Contractor' : 'Casual';
    const dept = rng.next();
    rec.DEPARTMENTID = dept < 0.7 ? 'FIELD' : dept < 0.85 ? 'SHOP' : dept < 0.95 ? 'OFFICE' : 'ADMIN';
    rec.LOCATIONID = rng.pick(['CHI', 'DAL', 'HOU']);
    const local = `${ascii(first) || `emp${i + 1}`}.${ascii(last) || rec.EMPLOYEEID.toLowerCase()}`;
    // Duplicate emails (copy-paste and shared crew mailboxes) and employees with no email at all.
    if (i % 17 === 8) rec['CONTACT.EMAIL1'] = '';
    else if (i % 20 === 11 && i > 0) rec['CONTACT.EMAIL1'] = out[i - 1]['CONTACT.EMAIL1'] || `crew${i}@example-builders.com`;
    else if (i % 50 === 30) rec['CONTACT.EMAIL1'] = 'site.crew@example-builders.com';
    else rec['CONTACT.EMAIL1'] = `${local}${scale === 'large' ? i + 1 : ''}@example-builders.com`;
    rec['CONTACT.PHONE1'] = rng.chance(0.6) ? phone(rng) : '';
    rec['CONTACT.CELLPHONE'] = rng.chance(0.85) ? phone(rng) : '';
    stamps(rng, rec);
    out.push(rec);
  }
  return out;
}

function tasks(scale: SeedScale, projs: Array<Record<string, string>>): Array<Record<string, string>> {
  const rng = new Prng(scale === 'demo' ? 0xc0ffee05 : 0xc0ffee15);
  const used = new Array<number>(projs.length).fill(0);
  const out: Array<Record<string, string>> = [];
  for (let i = 0; i < SIZES[scale].tasks; i++) {
    // Uneven: most tasks go to the first projects picked, no project gets more than ten.
    let p = i < projs.length ? i % projs.length : rng.int(0, projs.length - 1);
    if (scale === 'demo' && i < projs.length && i % 7 === 6) p = (i + 1) % projs.length;
    while (used[p] >= PHASES.length) p = (p + 1) % projs.length;
    const project = projs[p];
    const [code, phase] = PHASES[used[p]++];
    const rec = blank('TASK');
    rec.RECORDNO = recordNo(7001, i);
    rec.TASKID = code; // unique per project only
    rec.NAME = i === 2 ? 'Pour & Cure <Level 3> "East"' : `${phase} – ${project.NAME}`;
    rec.PROJECTID = project.PROJECTID;
    rec.PROJECTKEY = project.RECORDNO;
    rec.STATUS = project.STATUS === 'inactive' && rng.chance(0.7) ? 'inactive' : rng.chance(0.06) ? 'inactive' : 'active';
    rec.TASKSTATUS = rng.pick(['Not Started', 'Planned', 'In Progress', 'In Progress', 'Completed', 'On Hold']);
    const begin = Date.UTC(2024, 0, 1) + rng.int(0, 500) * DAY;
    rec.PBEGINDATE = formatDateUtc(begin);
    rec.PENDDATE = formatDateUtc(begin + rng.int(5, 120) * DAY);
    rec.DESCRIPTION = rng.chance(0.3) ? `${phase} works for ${project.PROJECTID}` : '';
    stamps(rng, rec);
    out.push(rec);
  }
  return out;
}

function costTypes(scale: SeedScale): Array<Record<string, string>> {
  const rng = new Prng(scale === 'demo' ? 0xc0ffee06 : 0xc0ffee16);
  const out: Array<Record<string, string>> = [];
  for (let i = 0; i < SIZES[scale].costTypes; i++) {
    const rec = blank('STANDARDCOSTTYPE');
    rec.RECORDNO = recordNo(91, i);
    const known = COST_TYPES[i];
    rec.STANDARDCOSTTYPEID = known ? known[0] : `SCT-${pad(i + 1, 3)}`;
    rec.NAME = known ? known[1] : `Cost type ${i + 1}`;
    rec.ACCUMULATIONTYPE = known ? known[2] : rng.pick(['Labor', 'Equipment', 'Material', 'Subcontract', 'Other']);
    rec.STATUS = rec.STANDARDCOSTTYPEID === 'LAB-DT' || (i >= COST_TYPES.length && rng.chance(0.1)) ? 'inactive' : 'active';
    stamps(rng, rec, 0.05);
    out.push(rec);
  }
  return out;
}

/** Deterministic seed records keyed by object name (see the module comment for the shape). */
export function sageSeed(scale: SeedScale): SeedRecords {
  if (scale !== 'demo' && scale !== 'large') throw new Error(`Unknown seed scale '${String(scale)}' (demo | large)`);
  const CUSTOMER = customers(scale);
  const PROJECT = projects(scale, CUSTOMER);
  return {
    ITEMGLGROUP: glGroups(),
    CUSTOMER,
    PROJECT,
    ITEM: items(scale),
    EMPLOYEE: employees(scale),
    TASK: tasks(scale, PROJECT),
    STANDARDCOSTTYPE: costTypes(scale),
  };
}
