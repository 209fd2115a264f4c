// Copies the pinned front-end packages into havenbeeld/static/vendor, where Django's
// staticfiles (and WhiteNoise in production) serve them. Run by `make` through `npm run build`.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "havenbeeld", "static", "vendor");
const assets = [
  ["@rijkshuisstijl-community/design-tokens/dist/index.css", "rhc/design-tokens.css"],
  ["@rijkshuisstijl-community/components-css/dist/index.css", "rhc/components.css"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["cytoscape/dist/cytoscape.min.js", "cytoscape/cytoscape.min.js"],
  ["leaflet/dist/leaflet.js", "leaflet/leaflet.js"],
  ["leaflet/dist/leaflet.css", "leaflet/leaflet.css"],
  ["leaflet/dist/images", "leaflet/images"],
];

rmSync(vendor, { recursive: true, force: true });
for (const [source, target] of assets) {
  const to = join(vendor, target);
  mkdirSync(dirname(to), { recursive: true });
  cpSync(join(root, "node_modules", source), to, { recursive: true });
  console.log(`vendor/${target}`);
}
