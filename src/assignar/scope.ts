/** The one fixed scope Assignar's token endpoint expects (reference/assignar-api.md §3.2). */
export const ASSIGNAR_SCOPE = 'target-entity:b816a5d3-40c3-477f-a551-1d066d7211cc:api_access';
