// A large, valid diagram for the canvas benchmark and the minimap test.

/** 200 components (10 users, 10 load balancers, 120 servers, 60 databases) and 300 wires. */
export function bigDiagram() {
  const components = [];
  const wires = [];
  const add = (id, kind, x, y) => components.push({ id, kind, x, y });
  for (let i = 1; i <= 10; i++) {
    add(`users-${i}`, "users", 0, i * 240);
    add(`lb-${i}`, "load_balancer", 240, i * 240);
    wires.push({ from: `users-${i}`, to: `lb-${i}` });
  }
  for (let i = 1; i <= 120; i++) {
    const lb = Math.ceil(i / 12);
    add(`web-${i}`, "web_server", 480 + ((i - 1) % 12) * 192, lb * 240 + (i % 2) * 96);
    wires.push({ from: `lb-${lb}`, to: `web-${i}` });
  }
  for (let i = 1; i <= 60; i++) add(`db-${i}`, "database", 2880 + ((i - 1) % 6) * 192, Math.ceil(i / 6) * 240);
  // Every server calls one database; 50 call a second one: 120 + 50 = 170 wires.
  for (let i = 1; i <= 120; i++) {
    wires.push({ from: `web-${i}`, to: `db-${((i - 1) % 60) + 1}` });
    if (i <= 50) wires.push({ from: `web-${i}`, to: `db-${((i + 29) % 60) + 1}` });
  }
  return {
    format: "archplay-diagram",
    version: 1,
    name: "Canvas benchmark: 200 components, 300 wires",
    components,
    wires,
  };
}
