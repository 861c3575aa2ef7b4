import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './graphiql-page.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import { TOKEN_KEY } from '../api';

/**
 * GraphiQL, bundled from the graphiql package (no CDN), at GET /graphql for browsers and at
 * /admin/graphiql. It sends the staff token the admin app keeps after login.
 */
const token = localStorage.getItem(TOKEN_KEY);
const fetcher = createGraphiQLFetcher({ url: '/graphql', headers: token ? { authorization: `Bearer ${token}` } : {} });

const DEFAULT_QUERY = `# Back-office GraphQL API: your staff token is sent with every request.
{
  viewer { kind displayName roles }
  serverTime
}
`;

function Page() {
  return (
    <div className="graphiql-page">
      {!token && (
        <p className="graphiql-login">
          Not logged in / non connecté : <a href="/admin/">log in to the admin app</a>, then come back.
        </p>
      )}
      <GraphiQL fetcher={fetcher} defaultEditorToolsVisibility="variables" defaultQuery={DEFAULT_QUERY} />
    </div>
  );
}

createRoot(document.getElementById('graphiql')!).render(<Page />);
