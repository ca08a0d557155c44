// The one place the version lives; `warren version` and connection.start report it.
export const VERSION = "0.1.0";
