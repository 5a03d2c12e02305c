/**
 * Timesheet comments a field worker or supervisor really types (or pastes) that break naive exporters:
 * XML metacharacters, a CDATA terminator, markup that looks like the Sage Intacct request itself,
 * entities (escaped, numeric and unknown), non-BMP and bidi unicode, control characters XML 1.0 does
 * not allow (form feed, vertical tab), and a note far longer than any Sage Intacct text field. The
 * generator puts them on a share of the timesheets (`hostileRatio`); tests compare them byte for byte.
 */

const LONG_UNIT = 'Excavation & backfill <zone B> "north" \'pad\' ]]> 🚧 ';

export const HOSTILE_TEXTS: readonly string[] = [
  `Formwork <level 2> & "east" wing's stair; checked by O'Brien`,
  'Pour ]]> done; <![CDATA[ not really ]]> & more',
  '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><t>&x;</t>',
  '</DESCRIPTION></TIMESHEETENTRY><TIMESHEETENTRY><QTY>999</QTY><DESCRIPTION>',
  '&amp; &lt;already escaped&gt; &#x26; &#38; &unknown; &',
  'Grúa 🏗️ façade — Zürich → 東京, naïve café, ‘curly’ “quotes”, zero\u200bwidth, \u202Eright-to-left\u202C',
  'Line one\nLine two\r\nTab\there; form feed\fand vertical tab\u000b (not allowed in XML 1.0)',
  LONG_UNIT.repeat(150).trim(),
];
