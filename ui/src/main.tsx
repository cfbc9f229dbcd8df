import { render } from "preact";
import "./fonts.css";
import "./styles.css";
import { App } from "./App";

render(<App />, document.getElementById("app")!);
