/** The appliance's one audit trail, as the rooms service uses it. */
export * from '@conclave/audit';
