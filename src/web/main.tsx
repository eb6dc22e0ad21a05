import { render } from 'preact';
import { App } from './app';
import './styles.css';

const root = document.getElementById('app')!;
// The "Loading…" line index.html shows until the script runs.
root.replaceChildren();
render(<App />, root);
