import type { AppError } from '../errors/catalogue.js';


export function ErrorPage({ error }: { error: AppError }) {
  const title = error.status === 404 ? 'Page not found' : error.status === 403 ? 'Not allowed' : error.status >= 500 ? 'Something went wrong' : 'That did not work';
  return (
    <>
      <h1>{title}</h1>
      <p class="lead">{error.status === 404 ? 'The page you asked for does not exist, or you do not have access to it.' : error.message}</p>
      {error.fields.length ? (
        <ul>
          {error.fields.map((f) => (
            <li>
              <strong>{f.field}</strong>: {f.message}
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        <a href="/">Back to the home page</a>
      </p>
    </>
  );
}
