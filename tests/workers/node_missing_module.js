// A Node worker whose dependency is not installed: it dies at start with
// `Error: Cannot find module 'sharp'` on stderr, before reading anything.
require("sharp");
