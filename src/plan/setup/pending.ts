/** A host that only stands in for the database's endpoint until RDS gives it one; never saved or sent. */
export const PENDING_DB_HOST = "pending-endpoint.invalid";
