/**
 * The tests read TwiML with the same strict XML reader as the call simulators (`src/cli/xml-reader.ts`),
 * so a document the tests accept is one the CLI can play.
 */
export { childElements, findElement, parseXml, textOf, type XmlElement } from "../../src/cli/xml-reader.ts";
