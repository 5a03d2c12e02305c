/**
 * `lookup` and `inspect` (minimal): describe an object's fields — ID, label, data type, read-only, valid
 * values of enums — so a client can discover what `query` accepts. Not metered.
 */
import type { FieldDef, ObjectDef } from '../catalog';
import type { XNode } from '../xml-parse';
import type { ONode } from '../xml-write';
import type { FunctionContext, FunctionOutput } from './context';
import { requireObject, requireText } from './context';

const el = (name: string, text: string): ONode => ({ name, text });

function fieldNode(def: ObjectDef, f: FieldDef): ONode {
  const children: ONode[] = [
    el('ID', f.name),
    el('LABEL', f.label),
    el('DESCRIPTION', f.label),
    el('REQUIRED', String(f.name === def.idField || def.requiredOnCreate.includes(f.name))),
    el('READONLY', String(Boolean(f.readonly))),
    el('DATATYPE', f.type.toUpperCase()),
    el('ISCUSTOM', 'false'),
  ];
  if (f.codes) children.push({ name: 'VALIDVALUES', children: Object.keys(f.codes).map((v) => el('VALIDVALUE', v)) });
  return { name: 'Field', children };
}

function relationships(def: ObjectDef): ONode[] {
  const paths = new Set(def.fields.filter((f) => f.name.includes('.')).map((f) => f.name.split('.')[0]));
  return [...paths].map((p) => ({
    name: 'Relationship',
    children: [el('OBJECTPATH', p), el('OBJECTNAME', p), el('LABEL', p.charAt(0) + p.slice(1).toLowerCase()), el('RELATIONSHIPTYPE', 'MANY2ONE'), el('RELATEDBY', `${p}KEY`)],
  }));
}

export function lookup(node: XNode, _ctx: FunctionContext): FunctionOutput {
  const def = requireObject(requireText(node, 'object'));
  return {
    data: {
      name: 'data',
      attrs: [['listtype', 'All'], ['count', 1]],
      children: [{
        name: 'Type',
        attrs: [['Name', def.name], ['DocumentType', '']],
        children: [{ name: 'Fields', children: def.fields.map((f) => fieldNode(def, f)) }, { name: 'Relationships', children: relationships(def) }],
      }],
    },
  };
}

export function inspect(node: XNode, ctx: FunctionContext): FunctionOutput {
  if (node.attrs.detail === '1') return lookup(node, ctx);
  const def = requireObject(requireText(node, 'object'));
  return {
    data: {
      name: 'data',
      attrs: [['listtype', 'All'], ['count', 1]],
      children: [{ name: 'Type', attrs: [['Name', def.name]], children: [{ name: 'Fields', children: def.fields.map((f) => el('Field', f.name)) }] }],
    },
  };
}
