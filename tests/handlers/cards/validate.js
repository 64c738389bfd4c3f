// Reads a JSON list of Adaptive Cards on stdin; prints {"results": [[problem, ...], ...]} (one list per card).
// Parse warnings and validation failures both count: a card must parse and validate cleanly as 1.5.
const AC = require("adaptivecards/dist/adaptivecards.js");

// Teams shows six actions on a card (the library's default host config allows five).
const TEAMS = new AC.HostConfig({ actions: { maxActions: 6 } });

function check(json) {
  const problems = [];
  if (json.version !== "1.5") problems.push(`version ${json.version}, expected 1.5`);
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const card = new AC.AdaptiveCard();
  card.hostConfig = TEAMS;
  card.parse(json, context);
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`parse: ${event.message}`);
  }
  const results = card.validateProperties();
  for (const event of results.validationEvents) problems.push(`validate: ${event.message}`);
  return problems;
}

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const cards = JSON.parse(input);
  process.stdout.write(JSON.stringify({ results: cards.map(check) }));
});
