import { AssignarClient } from '../assignar';
import { getConnection, resolveSecrets, type AppConfig, type ConnectionConfig } from '../config';
import type { ApiEventSink } from '../observability/api-events';
import { SageClient } from '../sage';

/**
 * One Sage Intacct and one Assignar client per connection per worker process, built on first use with
 * secrets resolved from the environment. Sharing them is what makes the per-company concurrency limit
 * and the Assignar rate limit hold across every activity running in this process. Both clients report
 * their calls to `events` (when given) under the connection's id.
 */
export class ConnectionClients {
  private readonly sageClients = new Map<string, SageClient>();
  private readonly assignarClients = new Map<string, AssignarClient>();

  constructor(
    readonly config: AppConfig,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly events?: ApiEventSink,
  ) {}

  connection(id: string): ConnectionConfig {
    return getConnection(this.config, id);
  }

  sage(id: string): SageClient {
    let client = this.sageClients.get(id);
    if (!client) {
      const connection = this.connection(id);
      const secrets = resolveSecrets(connection, this.env);
      client = new SageClient(
        connection.sage,
        { senderPassword: secrets.sageSenderPassword, userPassword: secrets.sageUserPassword },
        { events: this.events, connection: id },
      );
      this.sageClients.set(id, client);
    }
    return client;
  }

  assignar(id: string): AssignarClient {
    let client = this.assignarClients.get(id);
    if (!client) {
      const connection = this.connection(id);
      client = new AssignarClient(connection.assignar, { clientSecret: resolveSecrets(connection, this.env).assignarClientSecret }, { events: this.events, connection: id });
      this.assignarClients.set(id, client);
    }
    return client;
  }
}
