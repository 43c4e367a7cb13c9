// The features the page has. Each built feature adds one line above the marker.
export const features = [];
// ── built features register above this line ──
