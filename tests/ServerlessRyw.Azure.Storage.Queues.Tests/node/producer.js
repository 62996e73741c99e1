// A non-.NET producer: the Node Azure Storage queue SDK sends the messages a test asks for.
// Usage: node producer.js <connectionString> <queueName> <json array of message texts>
const { QueueClient } = require("@azure/storage-queue");

async function main() {
  const [connectionString, queueName, messagesJson] = process.argv.slice(2);
  const queue = new QueueClient(connectionString, queueName);
  await queue.createIfNotExists();
  for (const text of JSON.parse(messagesJson)) {
    await queue.sendMessage(text);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
