// A Node MCP server that greets on stdout before serving, as a `console.log` in `main()` does:
// the real @modelcontextprotocol/server-everything, loaded after the banner. A strict client
// reads `Unexpected token 'M', "MCP Server"... is not valid JSON`.
// Usage: node mcp_node_banner.mjs <path to server-everything's dist/index.js> stdio
import { pathToFileURL } from "node:url";

const [target, ...rest] = process.argv.slice(2);
console.log("MCP Server running on stdio");
process.argv = [process.argv[0], target, ...rest];
await import(pathToFileURL(target).href);
